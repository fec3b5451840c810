package dev.kiln.gateway;

import io.netty.handler.codec.DecoderException;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;

/**
 * Reads a request body up to a limit, for a route that has already checked the request head. It
 * does what vertx-web's {@code BodyHandler} did for RPC calls, minus the form and upload machinery
 * (and the extra route) that JSON bodies never need: a declared {@code Content-Length} over the
 * limit fails with 413 before anything is read; a body that grows past the limit (chunked) fails
 * with 413 as soon as it does; {@code Expect: 100-continue} is answered and any other expectation
 * fails with 417; a broken stream (e.g. a bad chunk) fails with 400. Failures go to the router's
 * failure handler through {@link RoutingContext#fail(int)}.
 */
final class BoundedBody {

  private BoundedBody() {}

  /** Calls {@code then} with the body, or with null when the request declares none. */
  static void read(RoutingContext ctx, long limit, Handler<Buffer> then) {
    HttpServerRequest request = ctx.request();
    long declared = contentLength(request);
    boolean chunked = request.version() == HttpVersion.HTTP_2
        || request.headers().contains("transfer-encoding");
    if (!chunked && declared < 0) {
      then.handle(null);
      return;
    }
    if (declared > limit) {
      ctx.fail(413);
      return;
    }
    String expect = request.getHeader("expect");
    if (expect != null) {
      if (!expect.equalsIgnoreCase("100-continue")) {
        ctx.fail(417);
        return;
      }
      // RFC 9110 §10.1.1: an HTTP/1.0 client never asked to be told to continue
      if (request.version() != HttpVersion.HTTP_1_0) {
        ctx.response().writeContinue();
      }
    }
    Buffer body = Buffer.buffer((int) Math.min(declared < 0 ? 1024 : declared, Math.min(limit, 65_535)));
    boolean[] failed = {false};
    request.exceptionHandler(t -> {
      failed[0] = true;
      if (t instanceof DecoderException) {
        ctx.fail(400, t.getCause() != null ? t.getCause() : t);
      } else {
        ctx.fail(t);
      }
    });
    request.handler(chunk -> {
      if (failed[0]) {
        return;
      }
      if (body.length() + chunk.length() > limit) {
        failed[0] = true;
        ctx.fail(413);
        return;
      }
      body.appendBuffer(chunk);
    });
    request.endHandler(v -> {
      if (!failed[0] && !ctx.failed()) {
        then.handle(body);
      }
    });
    request.resume();
  }

  private static long contentLength(HttpServerRequest request) {
    String value = request.getHeader("content-length");
    if (value == null || value.isEmpty()) {
      return -1;
    }
    try {
      long length = Long.parseLong(value);
      return length < 0 ? -1 : length;
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
