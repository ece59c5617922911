using static TorchSharp.torch;

namespace GraphRec.Core;

/// <summary>
/// The training step as the model's formulas give it: the batch's rows of <c>E = Σ α_k E(k)</c>
/// (<see cref="LightGcnModel.PropagateRows"/>) and of E(0), the loss, its gradient by autograd, and Adam's step
/// (<see cref="LibTorchAdam"/>). Runs on any device and type; faster steps are checked against it.
/// </summary>
internal sealed class AutogradTrainingStep(LightGcnModel model, double learningRate) : ITrainingStep
{
    private readonly LibTorchAdam _adam = new(model.Embedding, learningRate);

    /// <inheritdoc />
    public double LearningRate
    {
        get => _adam.LearningRate;
        set => _adam.LearningRate = value;
    }

    /// <inheritdoc />
    public double Run(ILoss loss, int[] nodes, int length)
    {
        using var scope = NewDisposeScope();
        _adam.ZeroGradient();
        var final = model.PropagateRows(nodes);
        var layer0 = model.Embedding.index_select(0, tensor(nodes, device: model.Embedding.device).to_type(ScalarType.Int64));
        var value = PluginContracts.CheckLoss(loss.Compute(final.view(3, length, -1), layer0.view(3, length, -1)), loss);
        value.backward();
        _adam.Step();
        return value.item<float>();
    }

    /// <inheritdoc />
    public void BeginEpoch(int epoch, int batches)
    {
    }

    /// <inheritdoc />
    public void EndEpoch()
    {
    }

    /// <inheritdoc />
    public (float[] First, float[] Second, long Step) ExportState() => _adam.ExportState();

    /// <inheritdoc />
    public void ImportState(float[] first, float[] second, long step) => _adam.ImportState(first, second, step);

    /// <inheritdoc />
    public void Dispose() => _adam.Dispose();
}
