package dev.kiln.gateway;

import io.vertx.ext.web.RoutingContext;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Gives every request an id: the client's {@code x-request-id} when it is sane (short, printable,
 * no spaces, so it is safe in logs and headers), a new one otherwise.
 */
final class RequestIds {

  static final String HEADER = "x-request-id";
  /** {@link #HEADER} as an AsciiString, written as a byte copy (see {@link SecurityHeaders}). */
  private static final CharSequence HEADER_NAME = io.vertx.core.http.HttpHeaders.createOptimized(HEADER);
  static final String KEY = "kiln.requestId";
  private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._:+/=-]{1,128}");

  private RequestIds() {}

  static void assign(RoutingContext ctx) {
    String inbound = ctx.request().getHeader(HEADER);
    String id = inbound != null && SANE.matcher(inbound).matches() ? inbound : newId();
    ctx.put(KEY, id);
    ctx.response().putHeader(HEADER_NAME, id);
  }

  static String get(RoutingContext ctx) {
    return ctx.get(KEY);
  }

  /**
   * A random (version 4) UUID from {@link ThreadLocalRandom}: unique enough to find one request in
   * the logs, and it need not be unguessable (it grants nothing), so it skips
   * {@code UUID.randomUUID()}'s {@code SecureRandom}, which showed in the profile on every request.
   */
  static String newId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long msb = (random.nextLong() & ~0xF000L) | 0x4000L;
    long lsb = (random.nextLong() & ~(0xC000L << 48)) | (0x8000L << 48);
    return new UUID(msb, lsb).toString();
  }
}
