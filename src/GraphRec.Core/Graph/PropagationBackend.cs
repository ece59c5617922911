using GraphRec.Core.Kernels;
using TorchSharp;
using static TorchSharp.torch;

namespace GraphRec.Core;

/// <summary>
/// How a device computes <c>Â X</c>, the one product of <see cref="LightGcnConv"/>, and the rows of the layer sum that a
/// training batch needs. The formulas, and the loop that runs them, are <see cref="LightGcnModel"/>'s; a backend only
/// makes their steps fast, and each has a parity test against libtorch's product in that loop.
/// </summary>
internal abstract class PropagationBackend : IDisposable
{
    protected PropagationBackend(NormalizedAdjacency adjacency) => Adjacency = adjacency;

    /// <summary>Â.</summary>
    public NormalizedAdjacency Adjacency { get; }

    /// <summary>The backend for the adjacency's device: GraphRec's CSR kernel on the CPU, libtorch's sparse product elsewhere.</summary>
    public static PropagationBackend For(NormalizedAdjacency adjacency) =>
        adjacency.Device.type == DeviceType.CPU ? new CsrKernelBackend(adjacency) : new TorchSparseBackend(adjacency);

    /// <summary><c>Â X</c>, differentiable in X, for X of shape <c>[NodeCount, dim]</c>.</summary>
    public abstract Tensor Multiply(Tensor dense);

    /// <summary>
    /// The rows <paramref name="nodes"/> of <c>Σ α_k Â^k X</c>, differentiable in X, computed faster than the whole sum;
    /// null where this backend has no faster way than the layer loop (the caller then runs the loop and gathers).
    /// </summary>
    public virtual Tensor? PropagateRows(Tensor dense, float[] layerWeights, int[] nodes) => null;

    /// <summary>
    /// The training step for <paramref name="model"/>, whose products this backend computes: autograd through the
    /// model's formulas and PyTorch's Adam (<see cref="AutogradTrainingStep"/>) unless the backend has a faster step that
    /// computes the same.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="precision"/> is one this backend's step does not have.</exception>
    public virtual ITrainingStep CreateTrainingStep(LightGcnModel model, double learningRate, TrainingPrecision precision)
    {
        if (precision != TrainingPrecision.Full)
        {
            throw new ArgumentException(
                $"{nameof(LightGcnOptions)}.{nameof(LightGcnOptions.BFloat16Layers)} = true needs a float32 model on the CPU; this one is {model.Embedding.dtype} on {model.Embedding.device}. Set it to false here.");
        }

        return new AutogradTrainingStep(model, learningRate);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Frees what the backend keeps between calls.</summary>
    protected virtual void Dispose(bool disposing)
    {
    }
}

/// <summary>libtorch's sparse–dense product with Â as a COO tensor: any device and type.</summary>
internal sealed class TorchSparseBackend(NormalizedAdjacency adjacency) : PropagationBackend(adjacency)
{
    public override Tensor Multiply(Tensor dense)
    {
        ArgumentNullException.ThrowIfNull(dense);
        SparseProduct.CheckShape(Adjacency, dense);
        return mm(Adjacency.Sparse.to(dense.dtype), dense);
    }
}
