package dev.kiln.gateway;

import io.vertx.ext.web.RoutingContext;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Gives every request an id: the client's {@code x-request-id} when it is sane (short, printable,
 * no spaces, so it is safe in logs and headers), a new one otherwise.
 */
final class RequestIds {

  static final String HEADER = "x-request-id";
  static final String KEY = "kiln.requestId";
  private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._:+/=-]{1,128}");

  private RequestIds() {}

  static void assign(RoutingContext ctx) {
    String inbound = ctx.request().getHeader(HEADER);
    String id = inbound != null && SANE.matcher(inbound).matches() ? inbound : newId();
    ctx.put(KEY, id);
    ctx.response().putHeader(HEADER, id);
  }

  static String get(RoutingContext ctx) {
    return ctx.get(KEY);
  }

  private static String newId() {
    return UUID.randomUUID().toString();
  }
}
