package dev.kiln.gateway;

import io.vertx.ext.web.Router;

/**
 * Something that adds routes to each gateway instance's router: RPC, subscriptions, webhooks,
 * admin. Called once per gateway verticle instance, on that instance's event loop.
 */
@FunctionalInterface
public interface GatewayRoutes {
  void mount(Router router);
}
