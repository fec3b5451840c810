package dev.kiln.api;

/** A query or mutation: plain blocking Java, run on a virtual thread. */
@FunctionalInterface
public interface FunctionHandler<A, R> {
  R handle(FunctionContext ctx, A args) throws Exception;
}
