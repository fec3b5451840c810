package dev.kiln.gateway;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * An RFC 9457 problem document: every error Kiln sends over HTTP has this shape, a stable
 * {@code code} clients can switch on, and the {@code request_id} to quote in a bug report.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc9457">RFC 9457</a>
 */
public record Problem(int status, String code, String title, String detail,
    List<FieldError> errors) {

  public static final String CONTENT_TYPE = "application/problem+json";

  /** One bad field of a request, by JSON path (e.g. {@code $.items[2].qty}). */
  public record FieldError(String path, String message) {}

  public static Problem of(int status, String code, String title, String detail) {
    return new Problem(status, code, title, detail, List.of());
  }

  public static Problem notFound(String detail) {
    return of(404, "not_found", "Not Found", detail);
  }

  public static Problem internal() {
    return of(500, "internal_error", "Internal Server Error",
        "The server failed to handle this request; quote the request_id when reporting it.");
  }

  public Problem withErrors(List<FieldError> fieldErrors) {
    return new Problem(status, code, title, detail, List.copyOf(fieldErrors));
  }

  public JsonObject toJson(String requestId) {
    JsonObject json = new JsonObject()
        .put("type", "about:blank")
        .put("title", title)
        .put("status", status)
        .put("detail", detail)
        .put("code", code);
    if (requestId != null) {
      json.put("request_id", requestId);
    }
    if (!errors.isEmpty()) {
      JsonArray array = new JsonArray();
      errors.forEach(e -> array.add(new JsonObject().put("path", e.path()).put("message", e.message())));
      json.put("errors", array);
    }
    return json;
  }

  /** Ends the response with this problem; a response already started is left alone. */
  public Future<Void> send(RoutingContext ctx) {
    if (ctx.response().headWritten()) {
      return Future.succeededFuture();
    }
    return ctx.response()
        .setStatusCode(status)
        .putHeader("content-type", CONTENT_TYPE)
        .end(toJson(RequestIds.get(ctx)).encode());
  }
}
