package dev.kiln.observe;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The build's version, read from a resource Maven filters at build time. */
public final class KilnVersion {

  private static final String VERSION = load();

  private KilnVersion() {}

  public static String get() {
    return VERSION;
  }

  private static String load() {
    try (InputStream in = KilnVersion.class.getResourceAsStream("/kiln/version.properties")) {
      if (in == null) {
        return "dev";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "dev");
    } catch (IOException e) {
      return "dev";
    }
  }
}
