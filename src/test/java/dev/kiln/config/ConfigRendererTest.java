package dev.kiln.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigRendererTest {

  @TempDir Path dir;

  private KilnConfig reload(String toml) throws Exception {
    Path file = dir.resolve("rendered.toml");
    Files.writeString(file, toml);
    return ConfigLoader.load(file, Map.of(), Map.of(), dir);
  }

  private static KilnConfig withSecrets(String jwtSecret, String url, List<String> replicas) {
    var d = KilnConfig.DEFAULTS;
    var db = d.database();
    return new KilnConfig(d.project(),
        new KilnConfig.Database(url, db.directUrl(), replicas, db.readFromReplica(), db.poolSize(),
            db.statementTimeoutSecs(), db.connectTimeoutSecs(), db.embeddedDataDir(), db.migrateOnStart(),
            db.migrationsDir()),
        d.gateway(),
        new KilnConfig.Auth(jwtSecret, "HS256", "", "", "", 30),
        d.worker(), d.observability(), d.cluster(), d.node(), d.shutdown(), d.realtime());
  }

  @Test
  void rendersEverySectionAndKeyInSnakeCase() {
    String toml = ConfigRenderer.render(KilnConfig.DEFAULTS);
    for (RecordComponent section : KilnConfig.class.getRecordComponents()) {
      assertTrue(toml.contains("[" + KeyNames.snake(section.getName()) + "]\n"), section.getName());
      for (RecordComponent key : section.getType().getRecordComponents()) {
        assertTrue(toml.contains("\n" + KeyNames.snake(key.getName()) + " = "), key.getName());
      }
    }
    assertTrue(toml.contains("\nport = 8080\n"));
    assertTrue(toml.contains("\nroles = [\"gateway\", \"function\", \"worker\", \"scheduler\"]\n"));
    assertTrue(toml.contains("\nlog_format = \"auto\"\n"));
    assertTrue(toml.contains("\nsampling_ratio = 1.0\n"));
  }

  @Test
  void renderedDefaultsLoadBackToTheDefaults() throws Exception {
    assertEquals(KilnConfig.DEFAULTS, reload(ConfigRenderer.render(KilnConfig.DEFAULTS)));
  }

  @Test
  void renderedValuesLoadBackUnchangedIncludingDollarBracesAndQuotes() throws Exception {
    var d = KilnConfig.DEFAULTS;
    var config = new KilnConfig(new KilnConfig.Project("say \"hi\" ${NOT_A_VAR} \\ done", KilnConfig.Env.DEVELOPMENT),
        d.database(), d.gateway(), d.auth(), d.worker(), d.observability(), d.cluster(),
        new KilnConfig.Node("n1", EnumSet.of(Role.WORKER, Role.GATEWAY), List.of("gpu", "general")),
        d.shutdown(), d.realtime());
    KilnConfig reloaded = reload(ConfigRenderer.render(config));
    assertEquals(config, reloaded);
    assertEquals(Set.of(Role.GATEWAY, Role.WORKER), reloaded.node().roles());
  }

  @Test
  void jwtSecretIsRedactedWhenSet() {
    String toml = ConfigRenderer.render(withSecrets("very-secret-value", "", List.of()));
    assertTrue(toml.contains("\njwt_secret = \"<redacted>\"\n"));
    assertFalse(toml.contains("very-secret-value"));
  }

  @Test
  void emptyJwtSecretIsShownEmptySoItIsClearNoneIsSet() {
    assertTrue(ConfigRenderer.render(KilnConfig.DEFAULTS).contains("\njwt_secret = \"\"\n"));
  }

  @Test
  void databaseUrlPasswordsAreRedacted() {
    String toml = ConfigRenderer.render(withSecrets("",
        "postgresql://kiln:hunter2@db.internal:5432/app?sslmode=require&password=other",
        List.of("postgres://ro:replica-pw@replica/app")));
    assertTrue(toml.contains(
        "\nurl = \"postgresql://kiln:<redacted>@db.internal:5432/app?sslmode=require&password=<redacted>\"\n"), toml);
    assertTrue(toml.contains("\nreplica_urls = [\"postgres://ro:<redacted>@replica/app\"]\n"), toml);
    assertFalse(toml.contains("hunter2"));
    assertFalse(toml.contains("other"));
    assertFalse(toml.contains("replica-pw"));
  }

  @Test
  void urlRedactionLeavesUrlsWithoutPasswordsAlone() {
    assertEquals("postgresql://kiln@db:5432/app", Redaction.url("postgresql://kiln@db:5432/app"));
    assertEquals("postgresql://db/app?user=kiln", Redaction.url("postgresql://db/app?user=kiln"));
    assertEquals("not a url", Redaction.url("not a url"));
  }

  @Test
  void passwordsContainingSlashesOrAtSignsAreRedactedWhole() {
    assertEquals("postgresql://kiln:<redacted>@db/app", Redaction.url("postgresql://kiln:pa/ss@word@db/app"));
  }
}
