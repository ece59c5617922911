namespace GraphRec.Core;

/// <summary>One epoch of the training history.</summary>
/// <param name="Epoch">The epoch (1-based).</param>
/// <param name="Loss">Mean loss over the epoch's batches.</param>
/// <param name="Seconds">Wall-clock seconds of the epoch (validation excluded).</param>
/// <param name="Validation">Validation metrics after the epoch, when validated.</param>
public sealed record EpochRecord(int Epoch, double Loss, double Seconds, IReadOnlyDictionary<string, double>? Validation);
