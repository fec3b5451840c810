package dev.kiln.jobs;

import dev.kiln.api.JobHandler;
import dev.kiln.api.JobOptions;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Every job kind this app defines; the same on every node, since every node runs the same jar. */
public final class JobRegistry {

  private final Map<String, JobDefinition<?>> byKind = new ConcurrentHashMap<>();

  public <A> JobRegistry register(String kind, Class<A> argsType, JobOptions options,
      JobHandler<A> handler) {
    return register(new JobDefinition<>(kind, argsType, options, handler));
  }

  /** Adds a definition; a second definition of the same kind is a start-up error. */
  public JobRegistry register(JobDefinition<?> definition) {
    if (byKind.putIfAbsent(definition.kind(), definition) != null) {
      throw new IllegalStateException("job '" + definition.kind() + "' is defined twice; "
          + "give each .job(...) a distinct name");
    }
    return this;
  }

  public Optional<JobDefinition<?>> find(String kind) {
    return Optional.ofNullable(byKind.get(kind));
  }

  /** The definition, or an error naming the unknown kind and the known ones. */
  JobDefinition<?> require(String kind) {
    JobDefinition<?> definition = byKind.get(kind);
    if (definition == null) {
      throw new IllegalArgumentException("no job named '" + kind + "'; defined jobs: "
          + List.copyOf(byKind.keySet()) + ". Define it with .job(\"" + kind + "\", ...)");
    }
    return definition;
  }

  public Collection<JobDefinition<?>> all() {
    return List.copyOf(byKind.values());
  }
}
