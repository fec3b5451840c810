package dev.kiln.gateway;

import dev.kiln.function.FunctionRegistry;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * {@code GET /_api/openapi.json}: the app's {@link OpenApiDocument}, built once when the node
 * starts (the registrations cannot change while it runs) and served with an ETag, so clients
 * revalidate cheaply instead of refetching.
 */
public final class OpenApiRoutes implements GatewayRoutes {

  static final String PATH = "/_api/openapi.json";

  private final byte[] body;
  private final String etag;

  /** Builds the document now; a type the schema generator cannot handle fails the start. */
  public OpenApiRoutes(String appName, FunctionRegistry registry) {
    this(OpenApiDocument.build(appName, registry));
  }

  OpenApiRoutes(JsonObject document) {
    this.body = document.encode().getBytes(StandardCharsets.UTF_8);
    this.etag = "\"" + sha256(body).substring(0, 32) + "\"";
  }

  @Override
  public void mount(Router router) {
    router.get(PATH).handler(this::serve);
  }

  private void serve(RoutingContext ctx) {
    var response = ctx.response()
        .putHeader("etag", etag)
        // short-lived, then revalidated: a redeploy with new functions shows within a minute
        .putHeader("cache-control", "public, max-age=60, must-revalidate");
    String ifNoneMatch = ctx.request().getHeader("if-none-match");
    if (ifNoneMatch != null && (ifNoneMatch.contains(etag) || ifNoneMatch.strip().equals("*"))) {
      response.setStatusCode(304).end();
      return;
    }
    // a fresh Buffer per response: buffers are not meant to be shared across event loops
    response.putHeader("content-type", "application/json").end(Buffer.buffer(body));
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
