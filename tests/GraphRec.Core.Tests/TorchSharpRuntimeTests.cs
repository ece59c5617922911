using GraphRec.Build;
using TorchSharp;
using static TorchSharp.torch;

namespace GraphRec.Core.Tests;

/// <summary>Proves that TorchSharp's native library loads and computes, which on Debian 12 needs the build fix.</summary>
public sealed class TorchSharpRuntimeTests
{
    [Fact]
    public void Sparse_matmul_runs_forward_and_backward()
    {
        using var scope = NewDisposeScope();
        // A = [[0, 2], [3, 0], [1, 1]] as a COO sparse tensor.
        var indices = tensor(new long[] { 0, 1, 2, 2, 1, 0, 0, 1 }, 2, 4);
        var values = tensor(new float[] { 2, 3, 1, 1 });
        var adjacency = sparse_coo_tensor(indices, values, [3, 2]);
        var x = tensor(new float[] { 1, 2, 3, 4 }, 2, 2).requires_grad_();

        var y = mm(adjacency, x);
        y.sum().backward();

        Assert.Equal(new float[] { 6, 8, 3, 6, 4, 6 }, y.detach().data<float>().ToArray());
        // d(sum(A x))/dx = A^T 1 = column sums of A, broadcast over x's columns.
        Assert.Equal(new float[] { 4, 4, 3, 3 }, x.grad!.data<float>().ToArray());
    }

    [SkippableFact]
    public void Build_marked_the_libstdcxx_requirement_of_the_output_copy_weak()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "the native fix applies to Linux only");
        string native = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Assert.True(File.Exists(native), $"TorchSharp's native library was not copied to {native}");

        ElfPatchResult result = ElfVersionPatcher.MarkVersionsWeak(native, ["GLIBCXX_3.4.32"]);

        Assert.Equal(ElfPatchOutcome.AlreadyWeak, result.Outcome);
    }
}
