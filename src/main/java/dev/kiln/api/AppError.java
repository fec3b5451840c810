package dev.kiln.api;

/**
 * An error a handler throws on purpose: it becomes an HTTP 4xx problem with this code and message,
 * and a mutation that throws it is rolled back. Anything else a handler throws is a 500 whose
 * details stay in the server log.
 */
public class AppError extends RuntimeException {

  private final int status;
  private final String code;

  public AppError(int status, String code, String message) {
    super(message, null, false, false);
    if (status < 400 || status > 499) {
      throw new IllegalArgumentException("AppError status must be 4xx, got " + status);
    }
    this.status = status;
    this.code = code;
  }

  public static AppError badRequest(String code, String message) {
    return new AppError(400, code, message);
  }

  public static AppError notFound(String message) {
    return new AppError(404, "not_found", message);
  }

  public static AppError conflict(String code, String message) {
    return new AppError(409, code, message);
  }

  public static AppError forbidden(String message) {
    return new AppError(403, "forbidden", message);
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }
}
