using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace GraphRec.Core.Kernels;

/// <summary>
/// Asks libtorch to back its large CPU tensors with transparent huge pages on Linux: when this assembly loads, it sets
/// <c>THP_MEM_ALLOC_ENABLE=1</c> in the process's native environment, which libtorch reads at its first allocation and
/// then page-aligns its allocations and marks those of 2 MiB or more <c>madvise(MADV_HUGEPAGE)</c>. Where the
/// kernel's setting (<c>/sys/kernel/mm/transparent_hugepage/enabled</c>) is <c>madvise</c>, as on Ubuntu, that is the
/// only way those tensors get huge pages; where it is <c>always</c> it changes nothing, and where it is <c>never</c>
/// (or the file is absent) nothing is set. A value the process already has is kept, so <c>THP_MEM_ALLOC_ENABLE=0</c>
/// switches it off. It changes where memory comes from, never what is computed.
/// </summary>
/// <remarks>
/// Owned because measured: the spectral filters' randomized SVD and Chebyshev products allocate temporaries of
/// hundreds of megabytes again and again, each faulted in 4 KiB pages otherwise, and a whole propagation over tens of
/// millions of edges writes layers of gigabytes. ChebyCF on Gowalla takes 0.58 of its whole-process time with huge
/// pages, a propagation at 20 M interactions a third; LightGCN's training batches are unchanged, and its sampled
/// evaluation at 20 M interactions is slower (docs/architecture.md, "Performance decisions", has the figures).
/// </remarks>
internal static partial class HugePages
{
    /// <summary>The variable libtorch's CPU allocator reads (c10's <c>alloc_cpu</c>).</summary>
    public const string Variable = "THP_MEM_ALLOC_ENABLE";

    private const string KernelSetting = "/sys/kernel/mm/transparent_hugepage/enabled";

#pragma warning disable CA2255 // It must run before libtorch's first allocation, which any member of this assembly may make.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void AskLibTorch()
    {
        if (OperatingSystem.IsLinux() && KernelOffersThem())
        {
            // Native setenv, not Environment.SetEnvironmentVariable: .NET keeps its own copy, which libtorch never sees.
            // Overwrite 0: a value the process was started with stays.
            try
            {
                _ = SetEnvironment(Variable, "1", overwrite: 0);
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                // A C library without setenv under that name: a hint not given, and everything else as it was.
            }
        }
    }

    /// <summary>Whether the kernel gives huge pages to memory marked for them (its setting is <c>always</c> or <c>madvise</c>).</summary>
    public static bool KernelOffersThem()
    {
        try
        {
            string setting = File.ReadAllText(KernelSetting);
            return setting.Contains("[always]", StringComparison.Ordinal) || setting.Contains("[madvise]", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnvironment(string name, string value, int overwrite);
}
