using System.Reflection;
using System.Runtime.CompilerServices;
using GraphRec.Core;
using GraphRec.Data;
using GraphRec.Hosting;
using GraphRec.Metrics;

namespace GraphRec.Server.Tests;

/// <summary>
/// The shipped packages talk through their public API only: an internal member is no contract, and with the packages
/// installed at different versions a use of one across a package boundary fails at run time.
/// </summary>
public sealed class PackageBoundaryTests
{
    private static readonly Assembly[] Shipped =
        [typeof(Interactions).Assembly, typeof(RankingEvaluation).Assembly, typeof(LightGcn).Assembly, typeof(ServedModel).Assembly];

    [Fact]
    public void No_shipped_package_grants_its_internals_to_another()
    {
        var names = Shipped.Select(a => a.GetName().Name!).ToHashSet();

        var grants = Shipped
            .SelectMany(a => a.GetCustomAttributes<InternalsVisibleToAttribute>().Select(g => $"{a.GetName().Name} -> {g.AssemblyName}"))
            .Where(grant => names.Contains(grant[(grant.IndexOf("-> ", StringComparison.Ordinal) + 3)..]))
            .ToArray();

        Assert.Equal(4, names.Count);
        Assert.Empty(grants);
    }

    [Fact]
    public void Core_data_and_metrics_export_at_most_40_public_types_each_in_its_own_file_named_after_it()
    {
        var exported = Shipped.Where(a => a != typeof(ServedModel).Assembly).SelectMany(a => a.GetExportedTypes()).ToArray();

        Assert.True(exported.Length <= 40, $"{exported.Length} public types: {string.Join(", ", exported.Select(t => t.Name).Order())}. Make one internal, or decide to raise the cap.");
        Assert.All(exported, type => Assert.False(type.IsNested, $"{type.FullName} is nested: a public type gets its own file."));
        var repository = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(repository.FullName, "GraphRec.sln")))
        {
            repository = repository.Parent ?? throw new InvalidOperationException($"No GraphRec.sln above {AppContext.BaseDirectory}.");
        }

        var files = Directory.EnumerateFiles(Path.Combine(repository.FullName, "src"), "*.cs", SearchOption.AllDirectories).Select(Path.GetFileNameWithoutExtension).ToHashSet();
        Assert.All(exported, type => Assert.Contains(type.Name.Split('`')[0], files));
    }
}
