package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.TestApp;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KilnCliTest {

  @TempDir
  Path dir;

  record Run(int code, String out, String err) {}

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = KilnCli.commandLine(TestApp.app().definition(), new PrintWriter(out, true),
        new PrintWriter(err, true)).execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void helpListsTheCommands() {
    Run r = run("--help");
    assertEquals(0, r.code());
    for (String command : new String[] {"serve", "migrate", "config"}) {
      assertTrue(r.out().contains(command), r.out());
    }
  }

  @Test
  void everySubcommandHasHelp() {
    for (String[] args : new String[][] {{"serve", "--help"}, {"migrate", "--help"},
        {"migrate", "up", "--help"}, {"migrate", "down", "--help"}, {"migrate", "status", "--help"},
        {"migrate", "new", "--help"}, {"config", "check", "--help"}}) {
      Run r = run(args);
      assertEquals(0, r.code(), String.join(" ", args));
      assertTrue(r.out().startsWith("Usage:"), r.out());
    }
  }

  @Test
  void unknownFlagIsAUsageErrorWithExitCode2() {
    Run r = run("serve", "--frobnicate");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--frobnicate"), r.err());
    assertTrue(r.err().contains("Usage:"), r.err());
  }

  @Test
  void unknownSubcommandIsAUsageErrorWithExitCode2() {
    Run r = run("deploy-everything");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("deploy-everything"), r.err());
  }

  @Test
  void configCheckPrintsTheEffectiveConfigWithSecretsRedacted() throws Exception {
    Path file = dir.resolve("kiln.toml");
    Files.writeString(file, """
        [database]
        url = "postgresql://app:topsecret@db.internal:5432/app"
        [auth]
        jwt_secret = "0123456789abcdef0123456789abcdef"
        """);
    Run r = run("config", "check", "--config", file.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("[gateway]"), r.out());
    assertTrue(r.out().contains("db.internal"), r.out());
    assertFalse(r.out().contains("topsecret"), r.out());
    assertFalse(r.out().contains("0123456789abcdef"), r.out());
  }

  @Test
  void configCheckListsEveryProblemAndFails() throws Exception {
    Path file = dir.resolve("bad.toml");
    Files.writeString(file, """
        [gateway]
        prot = 80
        port = "eighty"
        [node]
        roles = ["gateway", "chef"]
        """);
    Run r = run("config", "check", "--config", file.toString());
    assertEquals(1, r.code());
    assertTrue(r.err().contains("gateway.prot"), r.err());
    assertTrue(r.err().contains("gateway.port"), r.err());
    assertTrue(r.err().contains("chef"), r.err());
  }

  @Test
  void rolesFlagIsValidated() throws Exception {
    Path file = dir.resolve("empty.toml");
    Files.writeString(file, "");
    Run r = run("config", "check", "--config", file.toString(), "--roles", "worker,baker");
    assertEquals(1, r.code());
    assertTrue(r.err().contains("baker"), r.err());
  }

  @Test
  void migrateNewCreatesTheNextNumberedFile() throws Exception {
    Path file = dir.resolve("kiln.toml");
    Path migrations = dir.resolve("migrations");
    Files.writeString(file, "[database]\nmigrations_dir = \"" + migrations + "\"\n");
    Run first = run("migrate", "new", "add projects", "--config", file.toString());
    assertEquals(0, first.code(), first.err());
    Run second = run("migrate", "new", "add_deployments", "--config", file.toString());
    assertEquals(0, second.code(), second.err());
    try (var files = Files.list(migrations)) {
      assertEquals(java.util.List.of("0001_add_projects.sql", "0002_add_deployments.sql"),
          files.map(p -> p.getFileName().toString()).sorted().toList());
    }
  }
}
