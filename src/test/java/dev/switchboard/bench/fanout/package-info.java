/**
 * The fan-out and memory benchmarks ({@code ./switchboard bench fanout}, {@code ./switchboard bench memory}):
 * a coordinator ({@link dev.switchboard.bench.fanout.FanoutBench}, {@link dev.switchboard.bench.fanout.MemoryBench})
 * starts the Switchboard server, a minimal Socket.IO server on Node and load-generator processes
 * ({@link dev.switchboard.bench.fanout.LoadGen}: NIO selector threads holding thousands of SSE or
 * Engine.IO WebSocket connections), drives a paced writer, and reads every process's CPU from
 * {@code /proc}. Latency is measured from the writer's call to the client's receipt: the writer
 * puts its {@code System.nanoTime()} (CLOCK_MONOTONIC, comparable across processes on one Linux
 * machine) and a sequence number into each row's id, and the generator accounts every event by
 * that sequence number (missing and duplicated events).
 */
package dev.switchboard.bench.fanout;
