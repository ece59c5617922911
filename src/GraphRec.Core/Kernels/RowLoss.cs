using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace GraphRec.Core.Kernels;

/// <summary>
/// A batch's loss and its gradient at the batch's gathered rows, outside autograd, for the CPU training steps: rows laid
/// out <c>[users; positives; negatives]</c>, each <c>[length, dim]</c>, of the final embeddings (R) and of E(0) (R₀).
/// </summary>
internal static class RowLoss
{
    /// <summary>
    /// The loss, with <c>∂L/∂R</c> in <paramref name="rowGradients"/> and <c>∂L/∂R₀</c> in <paramref name="layer0Gradients"/>
    /// (their first <c>rows.Length</c> values): <see cref="BprLoss"/> by hand, any other loss by autograd on
    /// <c>[3 · length, dim]</c> tensors (zero where the loss leaves rows out).
    /// </summary>
    public static double ComputeWithGradient(ILoss loss, ReadOnlySpan<float> rows, ReadOnlySpan<float> rows0, int length, int dim, float[] rowGradients, float[] layer0Gradients) =>
        loss is BprLoss bpr
            ? bpr.ComputeWithGradient(rows, rows0, length, dim, rowGradients, layer0Gradients)
            : ByAutograd(loss, rows, rows0, length, dim, rowGradients.AsSpan(0, rows.Length), layer0Gradients.AsSpan(0, rows.Length));

    private static double ByAutograd(ILoss loss, ReadOnlySpan<float> rows, ReadOnlySpan<float> rows0, int length, int dim, Span<float> rowGradients, Span<float> layer0Gradients)
    {
        using var scope = NewDisposeScope();
        var rowsLeaf = tensor(rows.ToArray(), [rows.Length / dim, dim]).requires_grad_();
        var rows0Leaf = tensor(rows0.ToArray(), [rows0.Length / dim, dim]).requires_grad_();
        var value = PluginContracts.CheckLoss(loss.Compute(rowsLeaf.view(3, length, dim), rows0Leaf.view(3, length, dim)), loss);
        value.backward();
        CopyGradient(rowsLeaf, rowGradients);
        CopyGradient(rows0Leaf, layer0Gradients);
        return value.item<float>();
    }

    private static void CopyGradient(Tensor leaf, Span<float> target)
    {
        if (leaf.grad is { } gradient)
        {
            MemoryMarshal.Cast<byte, float>(gradient.contiguous().bytes).CopyTo(target);
        }
        else
        {
            target.Clear();
        }
    }
}
