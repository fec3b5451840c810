package dev.kiln.gateway;

import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.vertx.core.http.HttpServerRequest;

/**
 * Answers requests the HTTP decoder could not parse (an over-long request line or header, a broken
 * header) with a problem document instead of Vert.x's bare status line, then closes the connection
 * since the rest of the stream cannot be trusted.
 */
final class InvalidRequests {

  private InvalidRequests() {}

  static void handle(HttpServerRequest request) {
    DecoderResult result = request.decoderResult();
    if (result == null || result.isSuccess()) {
      return;
    }
    Throwable cause = result.cause();
    Problem problem;
    if (cause instanceof TooLongFrameException) {
      String msg = String.valueOf(cause.getMessage());
      problem = msg.contains("header")
          ? Problem.of(431, "headers_too_large", "Request Header Fields Too Large",
              "The request's headers are larger than this server accepts.")
          : Problem.of(414, "uri_too_long", "URI Too Long",
              "The request line is longer than this server accepts.");
    } else {
      problem = Problem.of(400, "bad_request", "Bad Request",
          "The request is not valid HTTP/1.1 and could not be read.");
    }
    request.response()
        .setStatusCode(problem.status())
        .putHeader("content-type", Problem.CONTENT_TYPE)
        .putHeader("connection", "close")
        .end(problem.toJson(null).encode())
        .onComplete(ar -> request.connection().close());
  }
}
