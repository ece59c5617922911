namespace GraphRec.Hosting;

/// <summary>What one retrain did. Immutable.</summary>
/// <param name="Succeeded">Whether the new model was written (and, when written over the served file, is now served).</param>
/// <param name="Error">Why it failed, in one line; null when it succeeded.</param>
/// <param name="Duration">From the start of the read to the new model served (or to the failure).</param>
/// <param name="Users">Users in the events read; 0 when the read failed.</param>
/// <param name="Items">Items in the events read; 0 when the read failed.</param>
/// <param name="Interactions">Interactions trained on; 0 when the read failed.</param>
/// <param name="Generation">The served model's generation afterwards (<see cref="ServedModel.Generation"/>).</param>
public sealed record RetrainingResult(bool Succeeded, string? Error, TimeSpan Duration, int Users, int Items, long Interactions, int Generation);
