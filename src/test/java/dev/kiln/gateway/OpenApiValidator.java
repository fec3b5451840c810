package dev.kiln.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.observe.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs {@code src/test/openapi-validator/validate.mjs} (the official OpenAPI 3.1 JSON Schema via
 * {@code @seriousme/openapi-schema-validator}, plus ajv for JSON Schema 2020-12) with Node.
 *
 * <p>The first use copies the folder to {@code target/openapi-validator} and runs {@code npm ci}
 * there, so the pinned, locked packages are installed fresh on every clean build and the source
 * tree stays clean. Without {@code node} on the PATH the calling test is skipped, saying so; any
 * other failure (npm cannot install, the script crashes) fails it.
 */
final class OpenApiValidator {

  private static final Path SOURCE = Path.of("src", "test", "openapi-validator");
  private static final Path WORK = Path.of("target", "openapi-validator");
  private static boolean installed;

  private OpenApiValidator() {}

  /** A sample value to check against the schema at a JSON pointer into the document. */
  record Sample(String pointer, Object instance) {}

  /** The script's report: {@code valid}, {@code errors}, {@code checkedSchemas}, {@code samples}. */
  static JsonNode validate(JsonNode document, List<Sample> samples) {
    install();
    try {
      Path doc = Files.createTempFile(WORK, "openapi-", ".json");
      Path sampleFile = Files.createTempFile(WORK, "samples-", ".json");
      Json.mapper().writeValue(doc.toFile(), document);
      Json.mapper().writeValue(sampleFile.toFile(), samples);
      Run run = run(List.of("node", "validate.mjs", doc.getFileName().toString(),
          sampleFile.getFileName().toString()), 60);
      if (run.exit() != 0 && run.exit() != 1) {
        throw new AssertionError("validate.mjs failed (exit " + run.exit() + "):\n" + run.output());
      }
      JsonNode report = Json.mapper().readTree(run.stdout());
      Files.delete(doc);
      Files.delete(sampleFile);
      return report;
    } catch (IOException e) {
      throw new AssertionError("could not run the validator", e);
    }
  }

  static JsonNode validate(JsonNode document) {
    return validate(document, List.of());
  }

  private static synchronized void install() {
    try {
      Files.createDirectories(WORK);
    } catch (IOException e) {
      throw new AssertionError("cannot create " + WORK, e);
    }
    Assumptions.assumeTrue(nodeAvailable(),
        "node is not on the PATH: skipping the OpenAPI validation (install Node.js 18+ to run it)");
    if (installed) {
      return;
    }
    try {
      for (String file : List.of("package.json", "package-lock.json", "validate.mjs")) {
        Files.copy(SOURCE.resolve(file), WORK.resolve(file), StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new AssertionError("cannot prepare " + WORK, e);
    }
    Run npm = run(List.of("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"), 300);
    if (npm.exit() != 0) {
      throw new AssertionError("npm ci in " + WORK + " failed (exit " + npm.exit()
          + "); the npm registry must be reachable:\n" + npm.output());
    }
    installed = true;
  }

  private static boolean nodeAvailable() {
    try {
      return run(List.of("node", "--version"), 30).exit() == 0;
    } catch (AssertionError e) {
      return false;
    }
  }

  private record Run(int exit, String stdout, String stderr) {
    String output() {
      return stdout + "\n" + stderr;
    }
  }

  private static Run run(List<String> command, long timeoutSecs) {
    try {
      Path out = Files.createTempFile("kiln-validator-", ".out");
      Path err = Files.createTempFile("kiln-validator-", ".err");
      try {
        Process process = new ProcessBuilder(command).directory(WORK.toFile())
            .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(timeoutSecs, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          throw new AssertionError(String.join(" ", command) + " did not finish in " + timeoutSecs
              + " s");
        }
        return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
            Files.readString(err, StandardCharsets.UTF_8));
      } finally {
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
      }
    } catch (IOException e) {
      throw new AssertionError("cannot run " + command.getFirst() + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
