package dev.kiln.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.config.KilnConfig.Env;
import dev.kiln.config.KilnConfig.LogFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

  @TempDir Path dir;

  // --- helpers -------------------------------------------------------------------------------

  private Path file(String name, String toml) throws IOException {
    Path path = dir.resolve(name);
    Files.createDirectories(path.getParent());
    Files.writeString(path, toml);
    return path;
  }

  private KilnConfig load(String toml) throws Exception {
    return load(toml, Map.of(), Map.of());
  }

  private KilnConfig load(String toml, Map<String, String> env, Map<String, String> flags) throws Exception {
    return ConfigLoader.load(file("kiln.toml", toml), env, flags, dir);
  }

  private List<String> problems(String toml) throws Exception {
    return problems(toml, Map.of(), Map.of());
  }

  private List<String> problems(String toml, Map<String, String> env, Map<String, String> flags) throws Exception {
    Path path = file("kiln.toml", toml);
    return assertThrows(ConfigException.class, () -> ConfigLoader.load(path, env, flags, dir)).problems();
  }

  private static void assertOnly(List<String> problems, String expected) {
    assertEquals(List.of(expected), problems);
  }

  private static void assertProblem(List<String> problems, String... fragments) {
    boolean found = problems.stream().anyMatch(p -> {
      for (String f : fragments) {
        if (!p.contains(f)) {
          return false;
        }
      }
      return true;
    });
    assertTrue(found, "no problem containing " + List.of(fragments) + " in " + problems);
  }

  // --- defaults and shipped files ------------------------------------------------------------

  @Test
  void noFileAnywhereMeansAllDefaults() throws Exception {
    assertEquals(KilnConfig.DEFAULTS, ConfigLoader.load(null, Map.of(), Map.of(), dir));
  }

  @Test
  void emptyFileMeansAllDefaults() throws Exception {
    assertEquals(KilnConfig.DEFAULTS, load(""));
  }

  @Test
  void missingKeysKeepTheirSectionDefaults() throws Exception {
    KilnConfig config = load("[gateway]\nport = 9000\n");
    assertEquals(9000, config.gateway().port());
    assertEquals(KilnConfig.Gateway.DEFAULTS.host(), config.gateway().host());
    assertEquals(KilnConfig.Database.DEFAULTS, config.database());
  }

  @Test
  void shippedDevelopmentConfigIsTheDefaultsWithTheAppName() throws Exception {
    KilnConfig config = ConfigLoader.load(Path.of("conf/kiln.toml"), Map.of(), Map.of());
    var expected = new KilnConfig(new KilnConfig.Project("shipyard", Env.DEVELOPMENT),
        KilnConfig.DEFAULTS.database(), KilnConfig.DEFAULTS.gateway(), KilnConfig.DEFAULTS.auth(),
        KilnConfig.DEFAULTS.worker(), KilnConfig.DEFAULTS.observability(), KilnConfig.DEFAULTS.cluster(),
        KilnConfig.DEFAULTS.node(), KilnConfig.DEFAULTS.shutdown(), KilnConfig.DEFAULTS.realtime());
    assertEquals(expected, config);
  }

  @Test
  void shippedDevelopmentConfigIsPickedUpFromTheWorkingDirectory() throws Exception {
    KilnConfig config = ConfigLoader.load(null, Map.of(), Map.of());
    assertEquals("shipyard", config.project().name());
  }

  @Test
  void shippedProductionConfigLoadsWhenItsVariablesAreSet() throws Exception {
    KilnConfig config = ConfigLoader.load(Path.of("conf/production.toml"),
        Map.of("DATABASE_URL", "postgresql://kiln:pw@db:5432/shipyard", "KILN_JWT_SECRET", "s3cret"), Map.of());
    assertTrue(config.production());
    assertEquals("postgresql://kiln:pw@db:5432/shipyard", config.database().url());
    assertEquals("s3cret", config.auth().jwtSecret());
    assertEquals(LogFormat.JSON, config.observability().logFormat());
    assertEquals(List.of("https://shipyard.example.com"), config.gateway().corsOrigins());
  }

  @Test
  void shippedProductionConfigNamesEveryMissingVariable() {
    var problems = assertThrows(ConfigException.class,
        () -> ConfigLoader.load(Path.of("conf/production.toml"), Map.of(), Map.of())).problems();
    assertProblem(problems, "database.url: environment variable DATABASE_URL is not set");
    assertProblem(problems, "auth.jwt_secret: environment variable KILN_JWT_SECRET is not set");
  }

  // --- ${VAR} substitution -------------------------------------------------------------------

  @Nested
  class Substitution {

    @Test
    void setVariableIsSubstituted() throws Exception {
      var config = load("[auth]\njwt_secret = \"${SECRET}\"\n", Map.of("SECRET", "abc"), Map.of());
      assertEquals("abc", config.auth().jwtSecret());
    }

    @Test
    void variableInsideLongerStringIsSubstituted() throws Exception {
      var config = load("[database]\nurl = \"postgresql://${USER}:${PW}@db/app\"\n",
          Map.of("USER", "kiln", "PW", "pw"), Map.of());
      assertEquals("postgresql://kiln:pw@db/app", config.database().url());
    }

    @Test
    void defaultIsUsedWhenVariableIsUnsetOrEmpty() throws Exception {
      String toml = "[observability]\nlog_level = \"${LEVEL:-debug}\"\n";
      assertEquals("debug", load(toml).observability().logLevel());
      assertEquals("debug", load(toml, Map.of("LEVEL", ""), Map.of()).observability().logLevel());
      assertEquals("warn", load(toml, Map.of("LEVEL", "warn"), Map.of()).observability().logLevel());
    }

    @Test
    void emptyDefaultGivesEmptyString() throws Exception {
      assertEquals("", load("[database]\nurl = \"${DATABASE_URL:-}\"\n").database().url());
    }

    @Test
    void unsetVariableWithoutDefaultNamesVariableAndKey() throws Exception {
      assertOnly(problems("[auth]\njwt_secret = \"${GITHUB_SECRET}\"\n"),
          "auth.jwt_secret: environment variable GITHUB_SECRET is not set (referenced as ${GITHUB_SECRET})");
    }

    @Test
    void setButEmptyVariableWithoutDefaultIsEmpty() throws Exception {
      var config = load("[node]\nid = \"${NODE_ID}\"\n", Map.of("NODE_ID", ""), Map.of());
      assertEquals("", config.node().id());
    }

    @Test
    void doubleDollarEscapesAReference() throws Exception {
      var config = load("[auth]\nissuer = \"$${NOT_A_VAR}\"\n");
      assertEquals("${NOT_A_VAR}", config.auth().issuer());
    }

    @Test
    void substitutedStringsConvertToNumbersBooleansAndLists() throws Exception {
      var config = load("""
          [gateway]
          port = "${PORT_FROM_FILE:-9000}"
          cors_origins = "${ORIGINS}"
          [observability]
          tracing_enabled = "${TRACING:-true}"
          """, Map.of("ORIGINS", "https://a.example, https://b.example"), Map.of());
      assertEquals(9000, config.gateway().port());
      assertEquals(List.of("https://a.example", "https://b.example"), config.gateway().corsOrigins());
      assertTrue(config.observability().tracingEnabled());
    }

    @Test
    void variablesInsideListsAreSubstituted() throws Exception {
      var config = load("[worker]\nqueues = [\"default\", \"${EXTRA_QUEUE:-mail}\"]\n");
      assertEquals(List.of("default", "mail"), config.worker().queues());
    }

    @Test
    void malformedReferencesAreReported() throws Exception {
      assertOnly(problems("[auth]\nissuer = \"${1BAD}\"\n"),
          "auth.issuer: invalid variable name in ${1BAD}; use ${NAME} or ${NAME:-default} with letters, digits and _");
      assertProblem(problems("[auth]\nissuer = \"${OPEN\"\n"), "auth.issuer: unterminated ${");
    }
  }

  // --- precedence ----------------------------------------------------------------------------

  @Nested
  class Overrides {

    @Test
    void environmentOverridesTheFile() throws Exception {
      var config = load("""
          [project]
          env = "development"
          [gateway]
          host = "127.0.0.1"
          port = 8081
          [database]
          url = "postgresql://file/db"
          """, Map.of("PORT", "9999", "HOST", "::", "DATABASE_URL", "postgresql://env/db", "KILN_ENV", "production"),
          Map.of());
      assertEquals(9999, config.gateway().port());
      assertEquals("::", config.gateway().host());
      assertEquals("postgresql://env/db", config.database().url());
      assertEquals(Env.PRODUCTION, config.project().env());
    }

    @Test
    void emptyEnvironmentOverrideCountsAsUnset() throws Exception {
      var config = load("[gateway]\nport = 8081\n", Map.of("PORT", ""), Map.of());
      assertEquals(8081, config.gateway().port());
    }

    @Test
    void flagsOverrideEnvironmentAndFile() throws Exception {
      var config = load("[gateway]\nport = 8081\n", Map.of("PORT", "8082"),
          Map.of("gateway.port", "9090", "node.roles", "gateway,function"));
      assertEquals(9090, config.gateway().port());
      assertEquals(EnumSet.of(Role.GATEWAY, Role.FUNCTION), config.node().roles());
    }

    @Test
    void flagsCanSetKeysTheFileDoesNotMention() throws Exception {
      var config = load("", Map.of(), Map.of("cluster.dead_threshold_secs", "60", "observability.sampling_ratio", "0.25"));
      assertEquals(60, config.cluster().deadThresholdSecs());
      assertEquals(0.25, config.observability().samplingRatio());
    }

    @Test
    void overriddenKeyNeedsNoVariableFromTheFile() throws Exception {
      var config = load("[auth]\njwt_secret = \"${UNSET_SECRET}\"\n", Map.of(), Map.of("auth.jwt_secret", "flag"));
      assertEquals("flag", config.auth().jwtSecret());
    }

    @Test
    void overrideValuesAreTakenLiterally() throws Exception {
      var config = load("", Map.of("DATABASE_URL", "postgresql://u:p${x}@db/app"), Map.of());
      assertEquals("postgresql://u:p${x}@db/app", config.database().url());
    }

    @Test
    void badOverrideSaysWhereTheValueCameFrom() throws Exception {
      assertOnly(problems("", Map.of("PORT", "abc"), Map.of()),
          "gateway.port: expected an integer, got \"abc\" (from environment variable PORT)");
      assertOnly(problems("", Map.of(), Map.of("gateway.prot", "1")),
          "gateway.prot: unknown key; did you mean gateway.port? (from the command line)");
    }
  }

  // --- which file ----------------------------------------------------------------------------

  @Nested
  class FileSelection {

    @Test
    void explicitConfigWinsOverKilnConfigAndDefaultFile() throws Exception {
      file("conf/kiln.toml", "[gateway]\nport = 1001\n");
      Path fromEnv = file("env.toml", "[gateway]\nport = 1002\n");
      Path explicit = file("explicit.toml", "[gateway]\nport = 1003\n");
      var env = Map.of("KILN_CONFIG", fromEnv.toString());
      assertEquals(1003, ConfigLoader.load(explicit, env, Map.of(), dir).gateway().port());
      assertEquals(1002, ConfigLoader.load(null, env, Map.of(), dir).gateway().port());
      assertEquals(1001, ConfigLoader.load(null, Map.of(), Map.of(), dir).gateway().port());
    }

    @Test
    void relativePathsResolveAgainstTheWorkingDirectory() throws Exception {
      file("etc/kiln.toml", "[gateway]\nport = 1004\n");
      assertEquals(1004, ConfigLoader.load(Path.of("etc/kiln.toml"), Map.of(), Map.of(), dir).gateway().port());
      assertEquals(1004, ConfigLoader.load(null, Map.of("KILN_CONFIG", "etc/kiln.toml"), Map.of(), dir)
          .gateway().port());
    }

    @Test
    void missingExplicitConfigIsAProblemNamingIt() {
      var problems = assertThrows(ConfigException.class,
          () -> ConfigLoader.load(Path.of("nope.toml"), Map.of(), Map.of(), dir)).problems();
      assertProblem(problems, "--config nope.toml: file not found");
    }

    @Test
    void missingKilnConfigIsAProblemNamingIt() {
      var problems = assertThrows(ConfigException.class,
          () -> ConfigLoader.load(null, Map.of("KILN_CONFIG", "/no/such/kiln.toml"), Map.of(), dir)).problems();
      assertProblem(problems, "KILN_CONFIG=/no/such/kiln.toml: file not found");
    }

    @Test
    void tomlSyntaxErrorNamesFileLineAndColumn() throws Exception {
      Path path = file("broken.toml", "[gateway]\nport = = 3\n");
      var problems = assertThrows(ConfigException.class,
          () -> ConfigLoader.load(path, Map.of(), Map.of(), dir)).problems();
      assertEquals(1, problems.size());
      assertProblem(problems, path.toString(), "TOML syntax error", "line 2, column 8");
    }

    @Test
    void duplicateKeyIsASyntaxError() throws Exception {
      // Jackson reports the position after the duplicate, not of it, so only the cause is asserted.
      assertProblem(problems("[gateway]\nport = 1\nport = 2\n"), "TOML syntax error at line", "Duplicate key");
    }
  }

  // --- validation ----------------------------------------------------------------------------

  @Nested
  class Validation {

    @Test
    void unknownKeySuggestsTheNearestKey() throws Exception {
      assertOnly(problems("[gateway]\nprot = 8080\n"), "gateway.prot: unknown key; did you mean gateway.port?");
      assertOnly(problems("[database]\npoolSize = 5\n"),
          "database.poolSize: unknown key; did you mean database.pool_size?");
    }

    @Test
    void unknownSectionSuggestsTheNearestSection() throws Exception {
      assertOnly(problems("[gatway]\nport = 8080\n"), "gatway: unknown section; did you mean gateway?");
    }

    @Test
    void keyInTheWrongSectionPointsToItsSection() throws Exception {
      assertOnly(problems("[gateway]\npool_size = 5\n"),
          "gateway.pool_size: unknown key; did you mean database.pool_size? (it belongs in [database])");
      assertOnly(problems("port = 8080\n"), "port: unknown section; did you mean gateway.port? (it belongs in [gateway])");
    }

    @Test
    void unknownKeyWithNothingCloseListsTheValidKeys() throws Exception {
      assertOnly(problems("[shutdown]\nwhatever = 1\n"),
          "shutdown.whatever: unknown key; valid keys in [shutdown] are drain_timeout_secs");
    }

    @Test
    void wrongTypesNameKeyExpectationAndValue() throws Exception {
      assertOnly(problems("[gateway]\nport = \"abc\"\n"), "gateway.port: expected an integer, got \"abc\"");
      assertOnly(problems("[gateway]\nport = 80.5\n"), "gateway.port: expected an integer, got 80.5");
      assertOnly(problems("[database]\nmigrate_on_start = \"yes\"\n"),
          "database.migrate_on_start: expected true or false, got \"yes\"");
      assertOnly(problems("[project]\nname = 7\n"), "project.name: expected a string, got 7");
      assertOnly(problems("[worker]\nqueues = 3\n"), "worker.queues: expected a list, got 3");
      assertOnly(problems("[worker]\nqueues = [\"a\", 3]\n"),
          "worker.queues: expected a string (element 2), got 3");
      assertOnly(problems("gateway = 3\n"), "gateway: expected a table [gateway], got 3");
      assertOnly(problems("[gateway]\nport = 99999999999\n"), "gateway.port: 99999999999 is out of range");
    }

    @Test
    void secretValuesAreNeverQuotedInProblems() throws Exception {
      assertOnly(problems("[auth]\njwt_secret = 123456\n"), "auth.jwt_secret: expected a string, got a number");
      var problems = problems("[database]\nurl = \"mysql://root:hunter2@db/app\"\n");
      assertOnly(problems, "database.url: expected a postgresql:// or postgres:// URL, got \"mysql://root:<redacted>@db/app\"");
    }

    @Test
    void portsMustBeInRangeButZeroIsAllowed() throws Exception {
      assertOnly(problems("[gateway]\nport = 70000\n"), "gateway.port: must be between 0 and 65535, got 70000");
      assertOnly(problems("[gateway]\nport = -1\n"), "gateway.port: must be between 0 and 65535, got -1");
      assertEquals(0, load("[gateway]\nport = 0\n").gateway().port());
      assertOnly(problems("[observability]\nmetrics_port = 65536\n"),
          "observability.metrics_port: must be between 0 and 65535, got 65536");
    }

    @Test
    void poolSizeMustBeBetweenOneAndAThousand() throws Exception {
      assertOnly(problems("[database]\npool_size = 0\n"), "database.pool_size: must be between 1 and 1000, got 0");
      assertOnly(problems("[database]\npool_size = 1001\n"), "database.pool_size: must be between 1 and 1000, got 1001");
    }

    @Test
    void timeoutsMustBePositive() throws Exception {
      var problems = problems("""
          [database]
          statement_timeout_secs = 0
          connect_timeout_secs = -5
          [gateway]
          request_timeout_secs = 0
          [shutdown]
          drain_timeout_secs = 0
          """);
      assertEquals(List.of(
          "database.statement_timeout_secs: must be greater than 0, got 0",
          "database.connect_timeout_secs: must be greater than 0, got -5",
          "gateway.request_timeout_secs: must be greater than 0, got 0",
          "shutdown.drain_timeout_secs: must be greater than 0, got 0"), problems);
    }

    @Test
    void deadThresholdMustExceedHeartbeatInterval() throws Exception {
      assertProblem(problems("[cluster]\nheartbeat_interval_secs = 10\ndead_threshold_secs = 10\n"),
          "cluster.dead_threshold_secs: must be greater than cluster.heartbeat_interval_secs (10), got 10");
    }

    @Test
    void samplingRatioMustBeBetweenZeroAndOne() throws Exception {
      assertOnly(problems("[observability]\nsampling_ratio = 1.5\n"),
          "observability.sampling_ratio: must be between 0.0 and 1.0, got 1.5");
      assertEquals(0.0, load("[observability]\nsampling_ratio = 0\n").observability().samplingRatio());
    }

    @Test
    void otlpMetricsAndLogsAreTogglesWithAPositiveExportInterval() throws Exception {
      var obs = load("[observability]\notlp_metrics_enabled = true\notlp_logs_enabled = true\n"
          + "otlp_metrics_interval_secs = 15\n").observability();
      assertTrue(obs.otlpMetricsEnabled());
      assertTrue(obs.otlpLogsEnabled());
      assertEquals(15, obs.otlpMetricsIntervalSecs());
      assertOnly(problems("[observability]\notlp_metrics_interval_secs = 0\n"),
          "observability.otlp_metrics_interval_secs: must be greater than 0, got 0");
    }

    @Test
    void rolesMustBeKnownAndNonEmpty() throws Exception {
      assertOnly(problems("[node]\nroles = [\"gateway\", \"gatway\"]\n"),
          "node.roles: unknown role \"gatway\" (element 2); expected one of gateway, function, worker, scheduler");
      assertOnly(problems("[node]\nroles = []\n"),
          "node.roles: must name at least one role; valid roles are gateway, function, worker, scheduler");
    }

    @Test
    void enumValuesListTheAllowedOnes() throws Exception {
      assertOnly(problems("[observability]\nlog_format = \"xml\"\n"),
          "observability.log_format: unknown log format \"xml\"; expected one of auto, text, json");
      assertOnly(problems("[project]\nenv = \"prod\"\n"),
          "project.env: unknown env \"prod\"; expected one of development, production");
      assertOnly(problems("[observability]\nlog_level = \"verbose\"\n"),
          "observability.log_level: unknown level \"verbose\"; expected one of trace, debug, info, warn, error, off");
      assertProblem(problems("[auth]\njwt_algorithm = \"none\"\n"), "auth.jwt_algorithm: unknown algorithm \"none\"");
    }

    @Test
    void enumsAcceptAnyCase() throws Exception {
      assertEquals(LogFormat.JSON, load("[observability]\nlog_format = \"JSON\"\n").observability().logFormat());
    }

    @Test
    void readingFromReplicasNeedsReplicas() throws Exception {
      assertOnly(problems("[database]\nread_from_replica = true\n"),
          "database.read_from_replica: is true but database.replica_urls is empty; "
              + "add a replica URL or set read_from_replica = false");
    }

    @Test
    void realtimeLimitsAreReadAndChecked() throws Exception {
      var config = load("[realtime]\nmax_sessions_per_ip = \"${MAX_IP:-20000}\"\nheartbeat_secs = 30\n");
      assertEquals(20000, config.realtime().maxSessionsPerIp());
      assertEquals(30, config.realtime().heartbeatSecs());
      assertEquals(KilnConfig.Realtime.DEFAULTS.maxSessionsPerUser(), config.realtime().maxSessionsPerUser());

      var problems = problems("[realtime]\nmax_sessions_per_user = 0\nquiet_window_ms = 300\n"
          + "write_queue_bytes = 10\n");
      assertEquals(3, problems.size(), problems.toString());
      assertProblem(problems, "realtime.max_sessions_per_user: must be");
      assertProblem(problems, "realtime.max_wait_ms: must be at least realtime.quiet_window_ms (300), got 200");
      assertProblem(problems, "realtime.write_queue_bytes: must be at least 1024, got 10");
    }

    @Test
    void everyProblemIsReportedAtOnce() throws Exception {
      var problems = problems("""
          [gatway]
          [gateway]
          port = "abc"
          [database]
          pool_size = 0
          [auth]
          jwt_secret = "${MISSING}"
          [node]
          roles = ["wizard"]
          """);
      assertEquals(5, problems.size(), problems.toString());
      assertProblem(problems, "gatway: unknown section");
      assertProblem(problems, "gateway.port: expected an integer");
      assertProblem(problems, "database.pool_size: must be between 1 and 1000");
      assertProblem(problems, "auth.jwt_secret: environment variable MISSING is not set");
      assertProblem(problems, "node.roles: unknown role \"wizard\"");
    }

    @Test
    void exceptionMessageListsOneProblemPerLine() throws Exception {
      Path path = file("kiln.toml", "[gateway]\nport = 70000\n[database]\npool_size = 0\n");
      var e = assertThrows(ConfigException.class, () -> ConfigLoader.load(path, Map.of(), Map.of(), dir));
      assertEquals(String.join("\n", e.problems()), e.getMessage());
      assertEquals(2, e.getMessage().lines().count());
    }
  }

  // --- production ----------------------------------------------------------------------------

  @Nested
  class Production {

    private static final String PRODUCTION = "[project]\nenv = \"production\"\n";

    @Test
    void productionRefusesTheEmbeddedDatabase() throws Exception {
      assertOnly(problems(PRODUCTION),
          "database.url: is empty, and the embedded PostgreSQL is development-only; "
              + "set DATABASE_URL or database.url to a postgresql:// URL");
    }

    @Test
    void productionRefusesWildcardCors() throws Exception {
      var problems = problems(PRODUCTION + "[database]\nurl = \"postgresql://db/app\"\n"
          + "[gateway]\ncors_origins = [\"https://a.example\", \"*\"]\n");
      assertEquals(1, problems.size());
      assertProblem(problems, "gateway.cors_origins: \"*\" is not allowed in production");
    }

    @Test
    void kilnEnvTurnsOnProductionRules() throws Exception {
      assertProblem(problems("", Map.of("KILN_ENV", "production"), Map.of()), "database.url: is empty");
    }

    @Test
    void developmentAllowsWildcardCorsAndEmbeddedDatabase() throws Exception {
      var config = load("[gateway]\ncors_origins = [\"*\"]\n");
      assertFalse(config.production());
      assertEquals("", config.database().url());
    }
  }
}
