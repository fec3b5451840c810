package dev.kiln.gateway;

import io.vertx.core.http.HttpServerResponse;

/** Headers every response carries, so a browser never sniffs, frames or leaks what Kiln serves. */
final class SecurityHeaders {

  private SecurityHeaders() {}

  static void apply(HttpServerResponse response) {
    response.putHeader("x-content-type-options", "nosniff")
        .putHeader("x-frame-options", "DENY")
        .putHeader("referrer-policy", "no-referrer")
        .putHeader("cross-origin-opener-policy", "same-origin");
  }
}
