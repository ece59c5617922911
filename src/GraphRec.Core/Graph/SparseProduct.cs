using System.Numerics;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace GraphRec.Core.Graph;

/// <summary>The product <c>Â X</c> of the normalized adjacency with a dense matrix, differentiable in X.</summary>
/// <remarks>
/// On the CPU, for float32 and float64, the product runs in GraphRec's own CSR kernel, wrapped as a TorchSharp autograd
/// function. Because <c>Â</c> is symmetric, the gradient of <c>Y = Â X</c> is <c>dX = Âᵀ dY = Â dY</c>: the backward pass is
/// the same kernel, with no transpose. On any other device or type the product is libtorch's sparse <c>torch.mm</c>.
/// </remarks>
public static class SparseProduct
{
    /// <summary>Returns <c>Â X</c> for <paramref name="dense"/> of shape <c>[NodeCount, dim]</c> on the adjacency's device.</summary>
    /// <exception cref="ArgumentException">The row count of <paramref name="dense"/> is not the adjacency's node count.</exception>
    public static Tensor Multiply(NormalizedAdjacency adjacency, Tensor dense)
    {
        ArgumentNullException.ThrowIfNull(adjacency);
        ArgumentNullException.ThrowIfNull(dense);
        CheckShape(adjacency, dense);
        return UsesKernel(dense)
            ? CsrProductFunction.apply(dense, adjacency)
            : mm(adjacency.Sparse.to(dense.dtype), dense);
    }

    /// <summary>
    /// Returns the propagated embeddings <c>P X = Σ_{k=0..K} α_k Â^k X</c> for layer weights <c>α_0 .. α_K</c>, as one
    /// differentiable operation on the CPU kernel: the LightGCN forward pass without K intermediate autograd nodes.
    /// </summary>
    /// <remarks>
    /// <c>P</c> is a polynomial in the symmetric <c>Â</c>, so it is symmetric too and its gradient is <c>dX = P dY</c>:
    /// the backward pass is the forward pass applied to the incoming gradient. Each <c>Â</c> product also adds
    /// <c>α_k Â^k X</c> into the sum while the row is in cache. Only for tensors where <see cref="UsesKernel"/> holds.
    /// </remarks>
    internal static Tensor PropagateOnCpu(NormalizedAdjacency adjacency, Tensor dense, float[] layerWeights)
    {
        CheckShape(adjacency, dense);
        if (!UsesKernel(dense) || layerWeights.Length == 0)
        {
            throw new ArgumentException("The fused propagation needs a CPU float32 or float64 tensor and at least one layer weight.", nameof(dense));
        }

        return PropagationFunction.apply(dense, adjacency, layerWeights);
    }

    /// <summary>Whether <see cref="Multiply"/> runs the CSR kernel (CPU, float32 or float64) rather than <c>torch.mm</c>.</summary>
    public static bool UsesKernel(Tensor dense)
    {
        ArgumentNullException.ThrowIfNull(dense);
        return dense.device_type == DeviceType.CPU && dense.dtype is ScalarType.Float32 or ScalarType.Float64;
    }

    private static void CheckShape(NormalizedAdjacency adjacency, Tensor dense)
    {
        if (dense.dim() != 2 || dense.shape[0] != adjacency.NodeCount)
        {
            throw new ArgumentException(
                $"Expected a [{adjacency.NodeCount}, dim] matrix to propagate, got [{string.Join(", ", dense.shape)}].", nameof(dense));
        }
    }

    /// <summary><c>Σ α_k Â^k X</c> with the kernel, outside autograd, into a new tensor.</summary>
    /// <param name="adjacency">Â.</param>
    /// <param name="dense">X.</param>
    /// <param name="layerWeights">α_0 .. α_K.</param>
    /// <param name="skipZeroRows">
    /// Find X's zero rows first and skip them in the first product. Worth it in backward, where X is the gradient of
    /// a batch's gathered rows: a few thousand non-zero rows of tens of thousands.
    /// </param>
    internal static Tensor PropagateWithKernel(NormalizedAdjacency adjacency, Tensor dense, float[] layerWeights, bool skipZeroRows = false)
    {
        using var scope = NewDisposeScope();
        var input = dense.contiguous();
        var sum = (input * layerWeights[0]).contiguous();
        if (layerWeights.Length < 2)
        {
            return sum.MoveToOuterDisposeScope();
        }

        if (input.dtype == ScalarType.Float32)
        {
            PropagateInto<float>(adjacency, input, sum, layerWeights, skipZeroRows);
        }
        else
        {
            PropagateInto<double>(adjacency, input, sum, layerWeights, skipZeroRows);
        }

        return sum.MoveToOuterDisposeScope();
    }

    private static void PropagateInto<T>(NormalizedAdjacency adjacency, Tensor input, Tensor sum, float[] layerWeights, bool skipZeroRows)
        where T : unmanaged, INumber<T>
    {
        int dim = (int)input.shape[1];
        lock (adjacency.ScratchLock)
        {
            bool[]? nonZeroRows = null;
            if (skipZeroRows)
            {
                nonZeroRows = adjacency.ScratchMask();
                CsrKernel.FindNonZeroRows<T>(adjacency.Partition, Floats<T>(input, input), dim, nonZeroRows);
            }

            // Ping-pong: odd powers in the first buffer, even powers in the second.
            var (first, second) = adjacency.Scratch(input.dtype, input.numel());
            var previous = input;
            for (int k = 1; k < layerWeights.Length; k++)
            {
                var current = k % 2 == 1 ? first : second;
                CsrKernel.Multiply(adjacency.Partition, Floats<T>(previous, input), Floats<T>(current, input), dim,
                    Floats<T>(sum, input), T.CreateTruncating(layerWeights[k]), k == 1 ? nonZeroRows : default);
                previous = current;
            }
        }
    }

    /// <summary>The first <c>numel(like)</c> elements of <paramref name="tensor"/>'s memory.</summary>
    private static Span<T> Floats<T>(Tensor tensor, Tensor like)
        where T : unmanaged => MemoryMarshal.Cast<byte, T>(tensor.bytes)[..checked((int)like.numel())];

    /// <summary><c>Y = Â X</c> with the kernel, outside autograd, into a new tensor.</summary>
    internal static Tensor MultiplyWithKernel(NormalizedAdjacency adjacency, Tensor dense)
    {
        using var scope = NewDisposeScope();
        var input = dense.contiguous();
        var output = empty_like(input);
        int dim = (int)input.shape[1];
        if (input.dtype == ScalarType.Float32)
        {
            CsrKernel.Multiply(adjacency.Partition, Floats<float>(input, input), Floats<float>(output, input), dim);
        }
        else
        {
            CsrKernel.Multiply(adjacency.Partition, Floats<double>(input, input), Floats<double>(output, input), dim);
        }

        return output.MoveToOuterDisposeScope();
    }

    /// <summary>The autograd function: forward <c>P X</c>, backward <c>P dY</c> (P is symmetric).</summary>
    private sealed class PropagationFunction : autograd.SingleTensorFunction<PropagationFunction>
    {
        private const string AdjacencyKey = "adjacency";
        private const string WeightsKey = "weights";

        public override string Name => "GraphRecLightGcnPropagation";

        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
        {
            var adjacency = (NormalizedAdjacency)vars[1];
            var weights = (float[])vars[2];
            ctx.save_data(AdjacencyKey, adjacency);
            ctx.save_data(WeightsKey, weights);
            return PropagateWithKernel(adjacency, (Tensor)vars[0], weights);
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output) =>
            [PropagateWithKernel((NormalizedAdjacency)ctx.get_data(AdjacencyKey), grad_output, (float[])ctx.get_data(WeightsKey), skipZeroRows: true), null!, null!];
    }

    /// <summary>The autograd function: forward <c>Â X</c>, backward <c>Â dY</c> (Â is symmetric).</summary>
    private sealed class CsrProductFunction : autograd.SingleTensorFunction<CsrProductFunction>
    {
        private const string AdjacencyKey = "adjacency";

        public override string Name => "GraphRecCsrProduct";

        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
        {
            var adjacency = (NormalizedAdjacency)vars[1];
            ctx.save_data(AdjacencyKey, adjacency);
            return MultiplyWithKernel(adjacency, (Tensor)vars[0]);
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
        {
            var adjacency = (NormalizedAdjacency)ctx.get_data(AdjacencyKey);
            return [MultiplyWithKernel(adjacency, grad_output), null!];
        }
    }
}
