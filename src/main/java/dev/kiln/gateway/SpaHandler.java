package dev.kiln.gateway;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Serves the single-page apps bundled under the classpath directory {@code webroot/}: the app UI
 * at {@code /} and the operations console at {@code /_console/}.
 *
 * <ul>
 *   <li>An existing file is sent by vertx-web's {@link StaticHandler} (content type, ranges,
 *       {@code Last-Modified}/304). Content-hashed assets are cached forever; everything else,
 *       HTML first, is revalidated on every use.
 *   <li>A GET/HEAD for a path without a file extension that is not a file gets the SPA's
 *       {@code index.html} (the console's for {@code /_console/...}), so client-side routes
 *       survive a reload.
 *   <li>A path with an extension that is not a file (or that would climb out of the web root
 *       once decoded) is passed on with {@link RoutingContext#next()}; mounted last, that is the
 *       router's 404, rendered by its {@code errorHandler(404, ..)} if one is set.
 *   <li>{@code /_api/...} and any method other than GET/HEAD are passed on with
 *       {@link RoutingContext#next()}: an API typo must get the API's JSON 404, never a 200 page.
 * </ul>
 */
final class SpaHandler implements Handler<RoutingContext> {

  static final String DEFAULT_WEB_ROOT = "webroot";

  static final String CACHE_FOREVER = "public, max-age=31536000, immutable";
  static final String CACHE_REVALIDATE = "no-cache";

  private static final String API_PREFIX = "/_api";
  private static final String CONSOLE_PREFIX = "/_console";
  private static final String APP_INDEX = "/index.html";
  private static final String CONSOLE_INDEX = CONSOLE_PREFIX + "/index.html";

  /**
   * A Vite/Rollup content hash before the extension: {@code index-AbC123xy.js},
   * {@code app.3f9a1b2c.css}. The digit-or-capital lookahead keeps plain words such as
   * {@code my-settings.js} from being cached forever.
   */
  private static final Pattern HASHED_NAME =
      Pattern.compile(".*[-.](?=[\\w-]{0,7}[0-9A-Z])[\\w-]{8}\\.\\w+");

  private final String webRoot;
  private final StaticHandler files;

  private SpaHandler(String webRoot) {
    this.webRoot = webRoot;
    this.files =
        StaticHandler.create(webRoot)
            .setDirectoryListing(false)
            .setIncludeHidden(false)
            .setDefaultContentEncoding("UTF-8");
  }

  /** A handler serving the classpath (or working-directory) directory {@code webRoot}. */
  static SpaHandler create(String webRoot) {
    return new SpaHandler(webRoot);
  }

  /**
   * Adds the SPA as a catch-all route at the current end of {@code router}. Mount it after every
   * other route: it answers all GET/HEAD requests outside {@code /_api/}, so routes added later
   * only see what it passes on ({@code /_api/...} and non-GET/HEAD requests).
   */
  static Route mount(Router router) {
    return router.route().handler(create(DEFAULT_WEB_ROOT));
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpMethod method = ctx.request().method();
    // normalizedPath() has decoded %2e / %5f and removed dot segments; decode() does the rest.
    String decoded = decode(ctx.normalizedPath());
    if ((method != HttpMethod.GET && method != HttpMethod.HEAD)
        || decoded == null // malformed, or climbing out once decoded: not found here
        || isUnder(decoded, API_PREFIX)) {
      ctx.next();
      return;
    }
    if (decoded.endsWith("/")) {
      serveIndex(ctx, decoded);
      return;
    }
    ctx.vertx()
        .fileSystem()
        .props(webRoot + decoded)
        .onComplete(
            props -> {
              if (props.succeeded() && props.result().isRegularFile() && !isHidden(decoded)) {
                serveFile(ctx, decoded);
              } else if (hasExtension(decoded)) {
                ctx.next(); // like StaticHandler: mounted last, this is the router's 404
              } else {
                serveIndex(ctx, decoded);
              }
            });
  }

  private void serveFile(RoutingContext ctx, String path) {
    // StaticHandler only adds Cache-Control when absent, so ours wins over its default
    // "public, immutable, max-age=86400", which would pin an old robots.txt or index.html a day.
    boolean hashed = path.startsWith("/assets/") || HASHED_NAME.matcher(path).matches();
    ctx.response().putHeader(HttpHeaders.CACHE_CONTROL, hashed ? CACHE_FOREVER : CACHE_REVALIDATE);
    files.handle(ctx);
  }

  private void serveIndex(RoutingContext ctx, String path) {
    String index = webRoot + (isUnder(path, CONSOLE_PREFIX) ? CONSOLE_INDEX : APP_INDEX);
    HttpServerResponse response =
        ctx.response()
            .putHeader(HttpHeaders.CONTENT_TYPE, "text/html; charset=utf-8")
            // A new deploy changes the asset hashes index.html points at; it must be re-fetched.
            .putHeader(HttpHeaders.CACHE_CONTROL, CACHE_REVALIDATE);
    // sendFile() writes the body even for HEAD, so HEAD only asks for the length.
    Future<?> sent =
        ctx.request().method() == HttpMethod.HEAD
            ? ctx.vertx()
                .fileSystem()
                .props(index)
                .compose(
                    props ->
                        response
                            .putHeader(HttpHeaders.CONTENT_LENGTH, String.valueOf(props.size()))
                            .end())
            : response.sendFile(index);
    sent.onFailure(
        missing -> {
          // Only when the jar was packaged without a webroot: build.sh always writes index.html.
          if (!response.headWritten()) {
            response.headers().remove(HttpHeaders.CACHE_CONTROL).remove(HttpHeaders.CONTENT_TYPE);
            ctx.fail(404, missing);
          }
        });
  }

  /**
   * Decodes the percent-escapes normalizedPath() leaves (reserved and non-ASCII characters), and
   * rejects what could climb out of the web root once decoded: {@code ..%2f}, backslashes, NUL.
   * Returns null for such a path or a malformed escape.
   */
  private static String decode(String normalizedPath) {
    if (normalizedPath == null || !normalizedPath.startsWith("/")) {
      return null;
    }
    String decoded;
    try {
      // URLDecoder is a form decoder: protect '+', which is a literal plus in a path.
      decoded = URLDecoder.decode(normalizedPath.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException malformed) {
      return null;
    }
    if (decoded.indexOf('\\') >= 0 || decoded.indexOf('\0') >= 0) {
      return null;
    }
    for (String segment : decoded.split("/", -1)) {
      if (segment.equals("..") || segment.equals(".")) {
        return null;
      }
    }
    return decoded;
  }

  private static boolean isUnder(String path, String prefix) {
    return path.equals(prefix) || path.startsWith(prefix + "/");
  }

  /** StaticHandler refuses dotfiles by passing them on; treat them as absent instead. */
  private static boolean isHidden(String path) {
    return path.contains("/.");
  }

  private static boolean hasExtension(String path) {
    String name = path.substring(path.lastIndexOf('/') + 1);
    return name.lastIndexOf('.') > 0;
  }
}
