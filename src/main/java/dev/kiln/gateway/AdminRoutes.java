package dev.kiln.gateway;

import dev.kiln.api.AuthInfo;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.function.Consumer;

/**
 * {@code /_api/admin/*}: the operations API (nodes, jobs, queues, crons). Closed by default, in
 * every environment: a bearer token with the {@code admin} role is required, and there is no
 * setting that opens it.
 */
public final class AdminRoutes implements GatewayRoutes {

  public static final String ADMIN_ROLE = "admin";

  private final Authenticator authenticator;
  private final List<Consumer<Router>> mounts;

  public AdminRoutes(Authenticator authenticator, List<Consumer<Router>> mounts) {
    this.authenticator = authenticator;
    this.mounts = List.copyOf(mounts);
  }

  @Override
  public void mount(Router router) {
    router.route("/_api/admin/*").handler(this::requireAdmin);
    mounts.forEach(m -> m.accept(router));
  }

  private void requireAdmin(RoutingContext ctx) {
    String header = ctx.request().getHeader("authorization");
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      Problem.of(401, "unauthenticated", "Unauthorized",
          "The admin API requires a bearer token with the 'admin' role.").send(ctx);
      return;
    }
    ctx.request().pause();
    authenticator.authenticate(header.substring(7).trim()).onComplete(ar -> {
      ctx.request().resume();
      if (ar.failed()) {
        RpcRoutes.problemFor(ar.cause()).send(ctx);
        return;
      }
      AuthInfo auth = ar.result();
      if (!auth.hasRole(ADMIN_ROLE)) {
        Problem.of(403, "forbidden", "Forbidden",
            "The admin API requires the 'admin' role.").send(ctx);
        return;
      }
      ctx.put(AuthInfo.class.getName(), auth);
      ctx.next();
    });
  }
}
