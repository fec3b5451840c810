package dev.kiln.gateway;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.kiln.api.AppError;
import dev.kiln.api.AuthInfo;
import dev.kiln.function.FunctionDefinition;
import dev.kiln.function.FunctionExecutor;
import dev.kiln.function.FunctionRegistry;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /_api/rpc/{name}}: JSON args in, JSON result out, and for every way a call can go
 * wrong a problem document that says which.
 */
public final class RpcRoutes implements GatewayRoutes {

  private static final Logger log = LoggerFactory.getLogger(RpcRoutes.class);
  static final String PATH = "/_api/rpc/:name";
  private static final CharSequence CONTENT_TYPE = HttpHeaders.createOptimized("content-type");
  private static final CharSequence APPLICATION_JSON = HttpHeaders.createOptimized("application/json");

  private final FunctionRegistry registry;
  private final FunctionExecutor executor;
  private final Authenticator authenticator;
  private final ObjectMapper mapper;
  private final ArgsBinder binder;
  private final ArgsReader reader;
  private final RateLimiter rateLimiter = new RateLimiter();
  private final long bodyLimitBytes;

  public RpcRoutes(FunctionRegistry registry, FunctionExecutor executor,
      Authenticator authenticator, ObjectMapper mapper, long bodyLimitBytes) {
    this.registry = registry;
    this.executor = executor;
    this.authenticator = authenticator;
    this.mapper = mapper;
    this.binder = new ArgsBinder(mapper);
    this.reader = new ArgsReader(mapper, binder);
    this.bodyLimitBytes = bodyLimitBytes;
  }

  @Override
  public void mount(Router router) {
    // Two routes: vertx-web wants a body handler first on its route, and these checks must run
    // before the body is read.
    router.route(PATH).method(HttpMethod.POST).handler(this::checkFunctionAndContentType);
    router.route(PATH).method(HttpMethod.POST)
        .handler(BodyHandler.create(false).setBodyLimit(bodyLimitBytes))
        .handler(this::call);
    router.route(PATH).handler(ctx -> {
      ctx.response().putHeader("allow", "POST");
      Problem.of(405, "method_not_allowed", "Method Not Allowed",
          "Call functions with POST and a JSON body.").send(ctx);
    });
  }

  /** Refuses before reading the body: an unknown name or a non-JSON body is known from the head. */
  private void checkFunctionAndContentType(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    if (registry.find(name).isEmpty()) {
      Problem.of(404, "unknown_function", "Not Found",
          "No query or mutation is named '" + name + "'.").send(ctx);
      return;
    }
    String contentType = ctx.request().getHeader("content-type");
    if (contentType != null && !isJson(contentType)) {
      Problem.of(415, "unsupported_media_type", "Unsupported Media Type",
          "Send the arguments as application/json, not " + truncate(contentType) + ".").send(ctx);
      return;
    }
    ctx.next();
  }

  private static boolean isJson(String contentType) {
    String base = contentType.split(";", 2)[0].trim().toLowerCase();
    return base.equals("application/json") || (base.startsWith("application/") && base.endsWith("+json"));
  }

  private void call(RoutingContext ctx) {
    FunctionDefinition fn = registry.find(ctx.pathParam("name")).orElseThrow();
    Buffer buffer = ctx.body().buffer();
    byte[] bytes = buffer == null ? new byte[0] : buffer.getBytes();
    // Valid bodies are the common case: check their syntax with a token scan here (a malformed
    // body is refused before authentication) and bind them from the bytes after the checks below;
    // only a body the scan refuses is parsed into a tree here, for the parser's message.
    JsonNode tree = null;
    if (!reader.wellFormed(bytes)) {
      try {
        tree = parse(buffer);
      } catch (JacksonException e) {
        Problem.of(400, "malformed_json", "Bad Request",
            "The body is not valid JSON: " + firstLine(e.getOriginalMessage()) + ".").send(ctx);
        return;
      }
    }
    JsonNode parsed = tree;
    authenticate(ctx)
        .compose(auth -> CallChecks.authorize(fn, auth))
        .onSuccess(auth -> {
          long retryAfter = rateLimit(ctx, fn, auth);
          if (retryAfter > 0) {
            ctx.response().putHeader("retry-after", Long.toString(retryAfter));
            Problem.of(429, "rate_limited", "Too Many Requests",
                "Too many calls to " + fn.name() + "; retry in " + retryAfter + " s.").send(ctx);
            return;
          }
          ArgsBinder.Result result;
          try {
            result = bind(parsed, bytes, buffer, fn.argsType());
          } catch (JacksonException e) {
            // the scan passed it, so the tree parser should have too; if not, its verdict stands
            Problem.of(400, "malformed_json", "Bad Request",
                "The body is not valid JSON: " + firstLine(e.getOriginalMessage()) + ".").send(ctx);
            return;
          }
          switch (result) {
            case ArgsBinder.Result.Invalid invalid -> Problem.of(400, "invalid_args", "Bad Request",
                    invalid.errors().size() + " field(s) of the arguments are invalid.")
                .withErrors(invalid.errors()).send(ctx);
            case ArgsBinder.Result.Bound bound -> execute(ctx, fn, bound.value(), auth);
          }
        })
        .onFailure(e -> problemFor(e).send(ctx));
  }

  /**
   * One pass from the bytes when the body is valid; otherwise the tree walk, which lists every bad
   * field (see {@link ArgsReader} for why both give the same outcome).
   */
  private ArgsBinder.Result bind(JsonNode tree, byte[] bytes, Buffer buffer, Class<?> type)
      throws JacksonException {
    if (tree == null) {
      Object fast = reader.read(bytes, type);
      if (fast != ArgsReader.DECLINED) {
        return new ArgsBinder.Result.Bound(fast);
      }
      tree = parse(buffer);
    }
    return binder.bind(tree, type);
  }

  private JsonNode parse(Buffer buffer) throws JacksonException {
    if (buffer == null || buffer.length() == 0) {
      return mapper.createObjectNode();
    }
    try {
      JsonNode node = mapper.readTree(buffer.getBytes());
      return node == null ? NullNode.getInstance() : node;
    } catch (JacksonException e) {
      throw e;
    } catch (java.io.IOException e) {
      throw new com.fasterxml.jackson.core.JsonParseException(null, e.getMessage());
    }
  }

  private Future<AuthInfo> authenticate(RoutingContext ctx) {
    return CallChecks.fromHeader(ctx.request().getHeader("authorization"), authenticator);
  }

  private long rateLimit(RoutingContext ctx, FunctionDefinition fn, AuthInfo auth) {
    var limit = fn.options().rateLimit();
    if (limit == null) {
      return 0;
    }
    String key = limit.key() == dev.kiln.api.FunctionOptions.RateLimit.Key.USER_OR_IP
        && auth.authenticated() ? "u:" + auth.userId() : "ip:" + ctx.request().remoteAddress().hostAddress();
    return rateLimiter.acquire(fn.name(), key, limit, System.nanoTime());
  }

  private void execute(RoutingContext ctx, FunctionDefinition fn, Object args, AuthInfo auth) {
    String requestId = RequestIds.get(ctx);
    executor.execute(fn, args, auth, requestId).onComplete(ar -> {
      if (ctx.response().closed()) {
        return;
      }
      if (ar.succeeded()) {
        byte[] json;
        try {
          json = mapper.writeValueAsBytes(ar.result());
        } catch (Exception e) {
          log.error("Function {} returned a result that cannot be written as JSON (request {})",
              fn.name(), requestId, e);
          Problem.internal().send(ctx);
          return;
        }
        ctx.response().putHeader(CONTENT_TYPE, APPLICATION_JSON).end(Buffer.buffer(json));
      } else {
        Throwable failure = ar.cause();
        if (!(failure instanceof AppError) && !(failure instanceof TimeoutException)
            && !(failure instanceof ProblemException)) {
          log.error("Function {} failed (request {})", fn.name(), requestId, failure);
        }
        problemFor(failure).send(ctx);
      }
    });
  }

  static Problem problemFor(Throwable failure) {
    return switch (failure) {
      case ProblemException pe -> pe.problem();
      case AppError app -> Problem.of(app.status(), app.code(), reason(app.status()), app.getMessage());
      case TimeoutException te -> Problem.of(504, "timeout", "Gateway Timeout", te.getMessage() + ".");
      default -> Problem.internal();
    };
  }

  private static String reason(int status) {
    return switch (status) {
      case 400 -> "Bad Request";
      case 401 -> "Unauthorized";
      case 403 -> "Forbidden";
      case 404 -> "Not Found";
      case 409 -> "Conflict";
      case 422 -> "Unprocessable Content";
      case 429 -> "Too Many Requests";
      default -> "Client Error";
    };
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "unreadable input";
    }
    int nl = s.indexOf('\n');
    return truncate(nl < 0 ? s : s.substring(0, nl));
  }

  private static String truncate(String s) {
    return s.length() > 120 ? s.substring(0, 120) + "…" : s;
  }
}
