using GraphRec.Core.Kernels;

namespace GraphRec.Core;

/// <summary>
/// What the trainer sets and checkpoints of the Adam an <see cref="ITrainingStep"/> runs: <see cref="LibTorchAdam"/>,
/// or on the CPU kernel <see cref="FusedAdam"/>.
/// </summary>
internal interface IAdamState
{
    /// <summary>The learning rate of the next steps.</summary>
    double LearningRate { get; set; }

    /// <summary>The moments, float32 in node order, and the step count, for a checkpoint.</summary>
    (float[] First, float[] Second, long Step) ExportState();

    /// <summary>Restores what <see cref="ExportState"/> returned.</summary>
    void ImportState(float[] first, float[] second, long step);
}
