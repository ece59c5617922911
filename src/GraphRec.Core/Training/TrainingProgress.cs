namespace GraphRec.Core;

/// <summary>Progress of training, for a progress bar.</summary>
/// <param name="Epoch">The epoch (1-based).</param>
/// <param name="Epochs">The number of epochs planned.</param>
/// <param name="Batch">Batches done in this epoch.</param>
/// <param name="Batches">Batches in this epoch.</param>
/// <param name="Loss">Mean loss of the epoch so far.</param>
/// <param name="TriplesPerSecond">Throughput of the epoch so far.</param>
public sealed record TrainingProgress(int Epoch, int Epochs, int Batch, int Batches, double Loss, double TriplesPerSecond);
