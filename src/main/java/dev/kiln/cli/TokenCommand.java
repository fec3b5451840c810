package dev.kiln.cli;

import dev.kiln.KilnNode;
import dev.kiln.auth.AuthKeys;
import dev.kiln.auth.JwtMinter;
import dev.kiln.config.KilnConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import picocli.CommandLine;

/** {@code kiln token --sub alice --role admin}: mint a token signed with the configured secret. */
@CommandLine.Command(name = "token", mixinStandardHelpOptions = true,
    description = "Mint a JWT with the configured HMAC secret (or the development secret), "
        + "to call protected functions and the admin API locally.")
final class TokenCommand implements java.util.concurrent.Callable<Integer> {

  @CommandLine.Mixin
  CommonOptions common = new CommonOptions();

  @CommandLine.Option(names = "--sub", required = true, paramLabel = "USER",
      description = "The subject (user id).")
  String subject;

  @CommandLine.Option(names = "--role", paramLabel = "ROLE",
      description = "A role to grant; repeat for several.")
  List<String> roles = List.of();

  @CommandLine.Option(names = "--ttl", paramLabel = "DURATION", defaultValue = "PT1H",
      converter = DurationConverter.class,
      description = "How long the token is valid, e.g. 1h, 30m, 7d (default: 1h).")
  Duration ttl;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    KilnConfig config = common.load();
    // "true": as if some function were protected, so development resolves its dev secret
    KilnConfig.Auth auth = AuthKeys.resolveForStartup(config, true, Path.of(KilnNode.STATE_DIR));
    spec.commandLine().getOut().println(JwtMinter.mint(auth, subject,
        new LinkedHashSet<>(roles), ttl, Clock.systemUTC()));
    return 0;
  }

  /** Accepts ISO-8601 ({@code PT1H}) or the short forms {@code 90s}, {@code 30m}, {@code 1h}, {@code 7d}. */
  static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      String v = value.trim().toLowerCase();
      try {
        if (v.startsWith("p")) {
          return Duration.parse(v.toUpperCase());
        }
        long n = Long.parseLong(v.substring(0, v.length() - 1));
        return switch (v.charAt(v.length() - 1)) {
          case 's' -> Duration.ofSeconds(n);
          case 'm' -> Duration.ofMinutes(n);
          case 'h' -> Duration.ofHours(n);
          case 'd' -> Duration.ofDays(n);
          default -> throw new IllegalArgumentException();
        };
      } catch (RuntimeException e) {
        throw new CommandLine.TypeConversionException(
            "'" + value + "' is not a duration; use e.g. 90s, 30m, 1h or 7d");
      }
    }
  }
}
