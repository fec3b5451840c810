package dev.kiln.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Resolves the configuration of one node: the TOML file, {@code ${VAR}} substitution, environment
 * overrides, command-line overrides, then validation. See {@code docs/configuration.md}.
 */
public final class ConfigLoader {

  static final Path DEFAULT_FILE = Path.of("conf", "kiln.toml");

  /** The environment variables that set one key each; platforms such as Fly and Heroku set these. */
  static final Map<String, String> ENV_OVERRIDES = orderedMap(
      "PORT", "gateway.port",
      "HOST", "gateway.host",
      "DATABASE_URL", "database.url",
      "KILN_ENV", "project.env");

  private static final TomlMapper TOML = new TomlMapper();

  private ConfigLoader() {}

  /**
   * Loads and validates the configuration.
   *
   * <p>The file is {@code explicitConfig} (from {@code --config}) if given, else {@code $KILN_CONFIG}
   * if set, else {@code conf/kiln.toml} under the working directory if it exists, else none: all
   * defaults. A file named by {@code --config} or {@code KILN_CONFIG} must exist. Then, each winning
   * over the one before: {@code ${VAR}} / {@code ${VAR:-default}} in the file's strings, expanded
   * from {@code env}; the environment overrides {@code PORT}, {@code HOST}, {@code DATABASE_URL},
   * {@code KILN_ENV} (an empty value counts as unset); {@code flagOverrides}, dotted keys such as
   * {@code gateway.port} to values as typed on a command line ({@code "gateway,worker"} for a list).
   *
   * @param explicitConfig the {@code --config} path, or null
   * @param env the process environment; passed in so tests control it
   * @param flagOverrides dotted key to value; may be empty
   * @throws ConfigException listing every problem found, each naming its key; nothing is returned
   *     unless the whole configuration is valid
   */
  public static KilnConfig load(Path explicitConfig, Map<String, String> env, Map<String, String> flagOverrides)
      throws ConfigException {
    return load(explicitConfig, env, flagOverrides, Path.of("").toAbsolutePath());
  }

  /** {@link #load(Path, Map, Map)} with the working directory made explicit, for tests. */
  static KilnConfig load(Path explicitConfig, Map<String, String> env, Map<String, String> flagOverrides,
      Path workingDir) throws ConfigException {
    Optional<Source> source = selectFile(explicitConfig, env, workingDir);
    ObjectNode tree = source.isPresent() ? parse(source.get()) : JsonNodeFactory.instance.objectNode();

    var problems = new Problems();
    Set<String> literal = new HashSet<>();
    ENV_OVERRIDES.forEach((variable, key) -> {
      String value = env.get(variable);
      if (value != null && !value.isEmpty()) {
        override(tree, key, value, problems);
        literal.add(key);
        problems.origin(key, "environment variable " + variable);
      }
    });
    flagOverrides.forEach((key, value) -> {
      override(tree, key, value, problems);
      literal.add(key);
      problems.origin(key, "the command line");
    });
    // Overrides are values, not templates: only what the file says gets ${...} expansion.
    new Substitution(env, problems).expandAll(tree, literal);

    KilnConfig config = new RecordBinder(KilnConfig.class, problems).bind(tree, KilnConfig.DEFAULTS);
    new ConfigValidator(problems).validate(config);
    problems.throwIfAny();
    return config;
  }

  private record Source(Path path, String label) {}

  private static Optional<Source> selectFile(Path explicit, Map<String, String> env, Path workingDir)
      throws ConfigException {
    if (explicit != null) {
      return Optional.of(existing(workingDir.resolve(explicit), "--config " + explicit,
          "check the path, or leave out --config to use " + DEFAULT_FILE));
    }
    String fromEnv = env.get("KILN_CONFIG");
    if (fromEnv != null && !fromEnv.isBlank()) {
      return Optional.of(existing(workingDir.resolve(fromEnv), "KILN_CONFIG=" + fromEnv,
          "check the path, or unset KILN_CONFIG to use " + DEFAULT_FILE));
    }
    Path standard = workingDir.resolve(DEFAULT_FILE);
    return Files.isRegularFile(standard)
        ? Optional.of(new Source(standard, DEFAULT_FILE.toString()))
        : Optional.empty();
  }

  private static Source existing(Path path, String label, String hint) throws ConfigException {
    if (Files.isDirectory(path)) {
      throw new ConfigException(List.of(label + ": is a directory, not a TOML file; " + hint));
    }
    if (!Files.isRegularFile(path)) {
      throw new ConfigException(List.of(label + ": file not found (" + path + "); " + hint));
    }
    return new Source(path, path.toString());
  }

  private static ObjectNode parse(Source source) throws ConfigException {
    JsonNode tree;
    try {
      tree = TOML.readTree(Files.readString(source.path()));
    } catch (JacksonException e) {
      JsonLocation at = e.getLocation();
      String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
      throw new ConfigException(List.of(
          source.label() + ": TOML syntax error" + where + ": " + e.getOriginalMessage()));
    } catch (IOException e) {
      throw new ConfigException(List.of(source.label() + ": cannot read: " + e.getMessage()));
    }
    return tree instanceof ObjectNode object ? object : JsonNodeFactory.instance.objectNode();
  }

  /** Sets the dotted {@code key} in {@code tree}, creating tables on the way. */
  private static void override(ObjectNode tree, String key, String value, Problems problems) {
    String[] parts = key.split("\\.", -1);
    for (String part : parts) {
      if (part.isBlank()) {
        problems.add(key, "not a dotted key like gateway.port");
        return;
      }
    }
    ObjectNode table = tree;
    for (int i = 0; i < parts.length - 1; i++) {
      JsonNode child = table.get(parts[i]);
      table = child instanceof ObjectNode object ? object : table.putObject(parts[i]);
    }
    table.put(parts[parts.length - 1], value);
  }

  private static Map<String, String> orderedMap(String... keysAndValues) {
    var map = new LinkedHashMap<String, String>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      map.put(keysAndValues[i], keysAndValues[i + 1]);
    }
    return Collections.unmodifiableMap(map);
  }
}
