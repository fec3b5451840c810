package dev.kiln.jobs;

import dev.kiln.api.JobHandler;
import dev.kiln.api.JobOptions;
import java.util.Objects;

/** A registered job: its kind (the name it is enqueued by), argument type, options and code. */
public record JobDefinition<A>(String kind, Class<A> argsType, JobOptions options,
    JobHandler<A> handler) {

  public JobDefinition {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(argsType, "argsType");
    Objects.requireNonNull(handler, "handler");
    options = options == null ? JobOptions.defaults() : options;
  }
}
