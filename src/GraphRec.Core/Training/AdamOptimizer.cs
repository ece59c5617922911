using static TorchSharp.torch;

namespace GraphRec.Core;

/// <summary>
/// Adam (Kingma and Ba, 2015) for one parameter, as PyTorch computes it: the moments, the step count and the bias
/// corrections, shared by the ways of applying the update,
/// <code>
///   m ← β1 m + (1 − β1) g          v ← β2 v + (1 − β2) g²
///   p ← p − (lr / (1 − β1ᵗ)) · m / (√v / √(1 − β2ᵗ) + ε)
/// </code>
/// </summary>
internal abstract class AdamOptimizer : IAdamState, IDisposable
{
    protected AdamOptimizer(Tensor parameter, double learningRate, double beta1, double beta2, double epsilon)
    {
        Parameter = parameter;
        using (no_grad())
        {
            FirstMoment = zeros_like(parameter).DetachFromDisposeScope();
            SecondMoment = zeros_like(parameter).DetachFromDisposeScope();
        }

        LearningRate = learningRate;
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
    }

    /// <summary>The learning rate of the next steps: a schedule changes it between epochs.</summary>
    public double LearningRate { get; set; }

    public double Beta1 { get; }

    public double Beta2 { get; }

    public double Epsilon { get; }

    /// <summary>The steps taken so far, t.</summary>
    protected long StepCount { get; set; }

    protected Tensor Parameter { get; }

    /// <summary>m, laid out as the parameter.</summary>
    protected Tensor FirstMoment { get; }

    /// <summary>v, laid out as the parameter.</summary>
    protected Tensor SecondMoment { get; }

    /// <summary>The moments, copied out to the CPU as float32, and the step count, for a checkpoint.</summary>
    public (float[] First, float[] Second, long Step) ExportState() =>
        (TrainingCheckpoint.Copy(FirstMoment), TrainingCheckpoint.Copy(SecondMoment), StepCount);

    /// <summary>Restores what <see cref="ExportState"/> copied out, onto the moments' device.</summary>
    public void ImportState(float[] first, float[] second, long step)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        FirstMoment.copy_(tensor(first, FirstMoment.shape));
        SecondMoment.copy_(tensor(second, SecondMoment.shape));
        StepCount = step;
    }

    public void Dispose()
    {
        FirstMoment.Dispose();
        SecondMoment.Dispose();
    }

    /// <summary>Counts one more step and returns its lr / (1 − β1ᵗ) and √(1 − β2ᵗ).</summary>
    protected (double StepSize, double SecondCorrectionRoot) NextStep()
    {
        StepCount++;
        return (LearningRate / (1 - Math.Pow(Beta1, StepCount)), Math.Sqrt(1 - Math.Pow(Beta2, StepCount)));
    }
}
