using System.Runtime.CompilerServices;
using GraphRec.Core.Kernels;
using static TorchSharp.torch;

namespace GraphRec.Core.Tests.Kernels;

/// <summary>
/// GraphRec.Core asks libtorch for huge pages when it loads (<see cref="HugePages"/>); libtorch reads the request at its
/// first allocation, so the tests load Core before any test can allocate a tensor through TorchSharp alone.
/// </summary>
public sealed class HugePagesTests
{
#pragma warning disable CA2255 // A test assembly's own start-up: Core must load before TorchSharp's first allocation.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void LoadCoreFirst() => RuntimeHelpers.RunModuleConstructor(typeof(HugePages).Module.ModuleHandle);

    [SkippableFact]
    public void Large_tensors_start_on_a_huge_page_boundary_where_the_kernel_offers_huge_pages()
    {
        Skip.IfNot(OperatingSystem.IsLinux() && HugePages.KernelOffersThem(), "The kernel offers no transparent huge pages here (not Linux, or its setting is never).");
        string? preset = Environment.GetEnvironmentVariable(HugePages.Variable);
        Skip.If(preset is not null && preset != "1", $"{HugePages.Variable}={preset} was set for this process, which keeps huge pages off.");

        // Six tensors of 16 MiB: without the request each starts past the allocator's header, not on a page.
        var tensors = Enumerable.Range(0, 6).Select(_ => empty(4 << 20, dtype: ScalarType.Float32)).ToList();
        try
        {
            var addresses = tensors.Select(SparseProduct.Address).ToList();
            Assert.All(addresses, a => Assert.Equal(0, a % Environment.SystemPageSize));
            Assert.All(addresses, a => Assert.True(MarkedForHugePages(a), $"the mapping at {a:x} is not eligible for huge pages"));
        }
        finally
        {
            tensors.ForEach(t => t.Dispose());
        }
    }

    /// <summary>Whether the kernel's map of this process says the mapping holding <paramref name="address"/> may get huge pages.</summary>
    private static bool MarkedForHugePages(nint address)
    {
        bool inside = false;
        foreach (string line in File.ReadLines("/proc/self/smaps"))
        {
            int dash = line.IndexOf('-', StringComparison.Ordinal), space = line.IndexOf(' ', StringComparison.Ordinal);
            if (dash > 0 && space > dash && ulong.TryParse(line.AsSpan(0, dash), System.Globalization.NumberStyles.HexNumber, null, out ulong start)
                && ulong.TryParse(line.AsSpan(dash + 1, space - dash - 1), System.Globalization.NumberStyles.HexNumber, null, out ulong end))
            {
                inside = (ulong)address >= start && (ulong)address < end;
            }
            else if (inside && line.StartsWith("THPeligible:", StringComparison.Ordinal))
            {
                return line.EndsWith('1');
            }
        }

        return false;
    }
}
