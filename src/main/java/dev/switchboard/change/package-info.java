/**
 * The change stream: {@link dev.switchboard.change.Change} envelopes in commit order, their
 * {@link dev.switchboard.change.Position}s, the {@link dev.switchboard.change.ChangeSource} port that
 * adapters implement, and the {@link dev.switchboard.change.ChangeFeed} that reads one source and
 * hands ordered batches to its listeners.
 */
package dev.switchboard.change;
