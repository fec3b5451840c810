package dev.kiln.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.kiln.bench.BenchPayloads.BenchRow;
import dev.kiln.bench.BenchPayloads.Echo;
import dev.kiln.bench.BenchPayloads.RowId;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

/**
 * The baseline of {@code bench/gateway}: Vert.x core alone (no vertx-web, no Kiln) doing the work
 * of Kiln's bench app. {@code POST /echo} parses the JSON body into a record and writes it back;
 * {@code POST /get} selects one row by primary key through a pool shared by all instances, as
 * Kiln's is. Same defaults as a Kiln node: {@code Vertx.vertx()} (2 × cores event loops), one
 * server verticle per core sharing the port, the same server and pool options.
 *
 * <p>Usage: {@code BareVertxServer <postgresql-url> <port> <instances> <pool-size>}
 */
public final class BareVertxServer {

  private BareVertxServer() {}

  public static void main(String[] args) {
    String url = args[0];
    int port = Integer.parseInt(args[1]);
    int instances = Integer.parseInt(args[2]);
    int poolSize = Integer.parseInt(args[3]);
    ObjectMapper mapper = JsonMapper.builder().build();
    Vertx vertx = Vertx.vertx();
    Pool pool = PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(poolSize))
        .connectingTo(PgConnectOptions.fromUri(url).setCachePreparedStatements(true))
        .using(vertx)
        .build();
    vertx.deployVerticle(() -> new Server(pool, mapper, port),
        new DeploymentOptions().setInstances(instances)).await();
    System.out.println("bare: listening on 127.0.0.1:" + port + " with " + instances
        + " instance(s), pool " + poolSize);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> vertx.close().await()));
  }

  private static final class Server extends VerticleBase {
    private final Pool pool;
    private final ObjectMapper mapper;
    private final int port;

    Server(Pool pool, ObjectMapper mapper, int port) {
      this.pool = pool;
      this.mapper = mapper;
      this.port = port;
    }

    @Override
    public Future<?> start() {
      // the options Kiln's GatewayVerticle uses
      HttpServerOptions options = new HttpServerOptions()
          .setHost("127.0.0.1")
          .setPort(port)
          .setCompressionSupported(true)
          .setMaxHeaderSize(16 * 1024);
      return vertx.createHttpServer(options).requestHandler(this::handle).listen();
    }

    private void handle(HttpServerRequest req) {
      if (req.method() != HttpMethod.POST) {
        req.response().setStatusCode(405).end();
        return;
      }
      switch (req.path()) {
        case "/echo" -> req.body().onSuccess(body -> echo(req, body));
        case "/get" -> req.body().onSuccess(body -> get(req, body));
        default -> req.response().setStatusCode(404).end();
      }
    }

    private void echo(HttpServerRequest req, Buffer body) {
      Echo args;
      try {
        args = mapper.readValue(body.getBytes(), Echo.class);
      } catch (Exception e) {
        req.response().setStatusCode(400).end();
        return;
      }
      json(req, args);
    }

    private void get(HttpServerRequest req, Buffer body) {
      RowId args;
      try {
        args = mapper.readValue(body.getBytes(), RowId.class);
      } catch (Exception e) {
        req.response().setStatusCode(400).end();
        return;
      }
      pool.preparedQuery(BenchPayloads.SELECT_ROW).execute(Tuple.of(args.id())).onComplete(ar -> {
        if (ar.failed()) {
          req.response().setStatusCode(500).end();
          return;
        }
        var it = ar.result().iterator();
        if (!it.hasNext()) {
          req.response().setStatusCode(404).end();
          return;
        }
        Row row = it.next();
        json(req, new BenchRow(row.getInteger(0), row.getString(1), row.getInteger(2),
            row.getString(3)));
      });
    }

    private void json(HttpServerRequest req, Object value) {
      byte[] bytes;
      try {
        bytes = mapper.writeValueAsBytes(value);
      } catch (Exception e) {
        req.response().setStatusCode(500).end();
        return;
      }
      req.response().putHeader("content-type", "application/json").end(Buffer.buffer(bytes));
    }
  }
}
