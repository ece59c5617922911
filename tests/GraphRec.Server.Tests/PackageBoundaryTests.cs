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
}
