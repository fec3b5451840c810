package dev.kiln.cli;

import dev.kiln.config.ConfigException;
import dev.kiln.config.ConfigLoader;
import dev.kiln.config.KilnConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;

/** The options every command shares, and the one way commands load config from them. */
final class CommonOptions {

  @CommandLine.Option(names = "--config", paramLabel = "FILE",
      description = "Config file (default: $KILN_CONFIG, else conf/kiln.toml when present).")
  Path config;

  @CommandLine.Option(names = "--roles", paramLabel = "ROLES", split = ",",
      description = "Roles this node plays: gateway,function,worker,scheduler (default: all).")
  java.util.List<String> roles;

  /** Loads and validates the config; a problem is reported as a {@link ConfigException}. */
  KilnConfig load() throws ConfigException {
    Map<String, String> overrides = new LinkedHashMap<>();
    if (roles != null) {
      overrides.put("node.roles", String.join(",", roles));
    }
    return ConfigLoader.load(config, System.getenv(), overrides);
  }
}
