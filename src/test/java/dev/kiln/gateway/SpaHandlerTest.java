package dev.kiln.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Real HTTP against a Router with the SPA mounted last, serving the fixtures in
 * src/test/resources/spa-fixture (its own root, so the real build in webroot/ stays what every
 * other test, and the browser tests, are served).
 */
class SpaHandlerTest {

  private static final String APP_INDEX = "FIXTURE APP INDEX";
  private static final String CONSOLE_INDEX = "FIXTURE CONSOLE INDEX";
  private static final String SECRET = "FIXTURE SECRET OUTSIDE WEBROOT";

  private static Vertx vertx;
  private static int port;
  private static final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void startServer() throws Exception {
    vertx = Vertx.vertx();
    Router router = Router.router(vertx);
    router.get("/_api/health").handler(ctx -> ctx.json(new JsonObject().put("status", "healthy")));
    router.route().handler(SpaHandler.create("spa-fixture"));
    // Stands in for the gateway's last-resort API 404: reachable only because the SPA passes
    // /_api/* on instead of answering it with index.html.
    router
        .route("/_api/*")
        .handler(
            ctx ->
                ctx.response()
                    .setStatusCode(404)
                    .putHeader("content-type", "application/problem+json")
                    .end(new JsonObject().put("status", 404).put("code", "not_found").encode()));
    HttpServer server =
        vertx
            .createHttpServer()
            .requestHandler(router)
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    port = server.actualPort();
  }

  @AfterAll
  static void stopServer() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void rootServesAppIndexThatIsAlwaysRevalidated() throws Exception {
    HttpResponse<String> res = get("/");

    assertEquals(200, res.statusCode());
    assertTrue(res.body().contains(APP_INDEX));
    assertTrue(header(res, "content-type").startsWith("text/html"));
    assertEquals("no-cache", header(res, "cache-control"));
  }

  @Test
  void clientSideRouteFallsBackToAppIndex() throws Exception {
    HttpResponse<String> res = get("/projects/42");

    assertEquals(200, res.statusCode());
    assertTrue(res.body().contains(APP_INDEX));
    assertEquals("no-cache", header(res, "cache-control"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"/_console", "/_console/", "/_console/jobs", "/_console/jobs/17/logs"})
  void consoleRoutesFallBackToConsoleIndex(String path) throws Exception {
    HttpResponse<String> res = get(path);

    assertEquals(200, res.statusCode());
    assertTrue(res.body().contains(CONSOLE_INDEX), res.body());
    assertEquals("no-cache", header(res, "cache-control"));
  }

  @Test
  void explicitlyRequestedIndexHtmlIsNotCachedEither() throws Exception {
    HttpResponse<String> res = get("/_console/index.html");

    assertEquals(200, res.statusCode());
    assertTrue(res.body().contains(CONSOLE_INDEX));
    assertEquals("no-cache", header(res, "cache-control"));
  }

  @Test
  void hashedAssetIsJavaScriptCachedForever() throws Exception {
    HttpResponse<String> res = get("/assets/app-3f9a1b2c.js");

    assertEquals(200, res.statusCode());
    assertTrue(res.body().contains("FIXTURE APP BUNDLE"));
    assertTrue(header(res, "content-type").contains("javascript"), header(res, "content-type"));
    assertEquals("public, max-age=31536000, immutable", header(res, "cache-control"));
  }

  @Test
  void headOfAssetSendsHeadersWithoutBody() throws Exception {
    HttpResponse<String> res =
        http.send(head("/assets/app-3f9a1b2c.js"), HttpResponse.BodyHandlers.ofString());

    assertEquals(200, res.statusCode());
    assertEquals("", res.body());
    assertEquals("public, max-age=31536000, immutable", header(res, "cache-control"));
  }

  @Test
  void headOfClientSideRouteSendsIndexHeadersWithoutBody() throws Exception {
    HttpResponse<String> res =
        http.send(head("/projects/42"), HttpResponse.BodyHandlers.ofString());

    assertEquals(200, res.statusCode());
    assertEquals("", res.body());
    assertTrue(header(res, "content-type").startsWith("text/html"));
    assertEquals("no-cache", header(res, "cache-control"));
  }

  @Test
  void unhashedFileIsServedAsTextAndRevalidated() throws Exception {
    HttpResponse<String> res = get("/robots.txt");

    assertEquals(200, res.statusCode());
    assertTrue(res.body().startsWith("User-agent: *"));
    assertTrue(header(res, "content-type").startsWith("text/plain"), header(res, "content-type"));
    assertEquals("no-cache", header(res, "cache-control"));
    assertFalse(header(res, "last-modified").isEmpty(), "revalidation needs Last-Modified");
  }

  @ParameterizedTest
  @ValueSource(strings = {"/missing.png", "/assets/app-00000000.js", "/_console/missing.css"})
  void missingFileWithExtensionIs404NotIndex(String path) throws Exception {
    HttpResponse<String> res = get(path);

    assertEquals(404, res.statusCode());
    assertFalse(res.body().contains(APP_INDEX));
    assertFalse(res.body().contains(CONSOLE_INDEX));
    assertFalse(header(res, "cache-control").contains("immutable"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"/_api/nope", "/_api", "/_api/rpc/missing/deeper", "/%5fapi/nope"})
  void apiPathsNeverFallBackToIndex(String path) throws Exception {
    HttpResponse<String> res = get(path);

    assertEquals(404, res.statusCode());
    assertEquals("application/problem+json", header(res, "content-type"));
    assertEquals("not_found", new JsonObject(res.body()).getString("code"));
  }

  @Test
  void encodedSlashAfterApiPrefixDoesNotFallBackEither() throws Exception {
    // The router sees "/_api%2Fnope" (no API route matches it); decoded it is still an API path.
    HttpResponse<String> res = get("/_api%2Fnope");

    assertEquals(404, res.statusCode());
    assertFalse(res.body().contains(APP_INDEX));
  }

  @Test
  void apiRoutesBeforeTheSpaStillAnswer() throws Exception {
    HttpResponse<String> res = get("/_api/health");

    assertEquals(200, res.statusCode());
    assertEquals("healthy", new JsonObject(res.body()).getString("status"));
  }

  @Test
  void postIsPassedOnNotServedAsPage() throws Exception {
    HttpResponse<String> res =
        http.send(
            request("/").POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
            HttpResponse.BodyHandlers.ofString());

    assertNotEquals(200, res.statusCode());
    assertFalse(res.body().contains(APP_INDEX));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/../secret.txt",
        "/assets/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/%2e%2e/secret.txt",
        "/..%2fsecret.txt",
        "/assets/..%2f..%2fsecret.txt",
        "/%2e%2e%2fsecret.txt",
        "/..%5csecret.txt",
        "/assets/%2e%2e%5c%2e%2e%5csecret.txt",
        "/..%252fsecret.txt",
        "/secret.txt%00.js",
        "/../dev/kiln/gateway/SpaHandler.class",
        "/secret.txt",
      })
  void traversalNeverEscapesWebRoot(String rawPath) throws Exception {
    // A raw socket, so no client library normalises the path before it reaches the server.
    String response = rawGet(rawPath);
    int status = Integer.parseInt(response.substring(9, 12));

    assertTrue(status == 400 || status == 404, rawPath + " -> " + response);
    assertFalse(response.contains(SECRET), rawPath);
  }

  @Test
  void traversalFixtureReallyIsOnTheClasspath() {
    // Guards the traversal test: the file it tries to reach must exist just outside the web root.
    assertTrue(SpaHandlerTest.class.getResource("/secret.txt") != null);
  }

  private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpRequest head(String path) {
    return request(path).method("HEAD", HttpRequest.BodyPublishers.noBody()).build();
  }

  private static HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10));
  }

  private static String header(HttpResponse<?> res, String name) {
    return res.headers().firstValue(name).orElse("");
  }

  private static String rawGet(String rawPath) throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("GET " + rawPath + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
