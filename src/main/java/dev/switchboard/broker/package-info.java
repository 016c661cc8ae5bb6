/**
 * Scale-out on NATS JetStream: a capture node publishes the database's change stream
 * ({@link dev.switchboard.broker.Relay}), edge nodes read it as their change source; both through
 * a {@link dev.switchboard.broker.Broker}. Positions travel as JetStream message ids, so the
 * stream drops a change published twice and every node numbers changes alike.
 */
package dev.switchboard.broker;
