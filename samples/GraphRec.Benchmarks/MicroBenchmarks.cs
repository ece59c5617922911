using BenchmarkDotNet.Attributes;
using GraphRec.Core;
using GraphRec.Core.Kernels;
using GraphRec.Data;
using static TorchSharp.torch;

namespace GraphRec.Benchmarks;

/// <summary>
/// The graph the micro-benchmarks use: Gowalla's training split when GRAPHREC_DATA_DIR (or ../shared/datasets) has
/// it, else a random bipartite graph of the same size (29,858 users, 40,981 items, 810,128 edges).
/// </summary>
internal static class BenchmarkGraph
{
    public static (Interactions Train, Interactions Test, string Source) Load()
    {
        foreach (var root in new[] { Environment.GetEnvironmentVariable("GRAPHREC_DATA_DIR"), Path.Combine("..", "shared", "datasets"), Path.Combine("..", "..", "..", "shared", "datasets") })
        {
            if (root is not null && File.Exists(Path.Combine(root, "gowalla", "train.txt")))
            {
                var split = EdgeListProvider.FromFolder(Path.Combine(root, "gowalla")).LoadAsync().GetAwaiter().GetResult().PredefinedSplit!;
                return (split.Train, split.Test, "gowalla");
            }
        }

        return (Random(29_858, 40_981, 810_128, 1), Random(29_858, 40_981, 217_242, 2), "random graph of Gowalla's size");
    }

    private static Interactions Random(int users, int items, int edges, int seed)
    {
        var random = new Random(seed);
        var rows = new SortedSet<int>[users];
        for (int u = 0; u < users; u++)
        {
            rows[u] = [];
        }

        for (int e = 0; e < edges;)
        {
            e += rows[random.Next(users)].Add(random.Next(items)) ? 1 : 0;
        }

        var pointers = new int[users + 1];
        for (int u = 0; u < users; u++)
        {
            pointers[u + 1] = pointers[u] + rows[u].Count;
        }

        return new Interactions(users, items, pointers, [.. rows.SelectMany(r => r)]);
    }
}

/// <summary><c>Â X</c> on Gowalla with dim 64: GraphRec's kernel against libtorch's COO <c>torch.mm</c>, forward and forward + backward.</summary>
[MemoryDiagnoser]
public class SparseProductBenchmarks
{
    private NormalizedAdjacency _adjacency = null!;
    private Tensor _embeddings = null!;

    [GlobalSetup]
    public void Setup()
    {
        var (train, _, _) = BenchmarkGraph.Load();
        _adjacency = NormalizedAdjacency.FromEdges(train.UserCount, train.ItemCount, train.ExpandUsers(), train.Items);
        _embeddings = randn(_adjacency.NodeCount, 64).requires_grad_().DetachFromDisposeScope();
        _ = _adjacency.Sparse;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _embeddings.Dispose();
        _adjacency.Dispose();
    }

    [Benchmark(Description = "kernel forward")]
    public void KernelForward()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        SparseProduct.Multiply(_adjacency, _embeddings);
    }

    [Benchmark(Description = "kernel forward+backward")]
    public void KernelForwardBackward()
    {
        using var scope = NewDisposeScope();
        SparseProduct.Multiply(_adjacency, _embeddings).sum().backward();
        _embeddings.grad?.zero_();
    }

    [Benchmark(Description = "torch.mm forward", Baseline = true)]
    public void TorchForward()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        mm(_adjacency.Sparse, _embeddings);
    }

    [Benchmark(Description = "torch.mm forward+backward")]
    public void TorchForwardBackward()
    {
        using var scope = NewDisposeScope();
        mm(_adjacency.Sparse, _embeddings).sum().backward();
        _embeddings.grad?.zero_();
    }
}

/// <summary>One epoch of (user, positive, negative) triples on Gowalla's training split.</summary>
[MemoryDiagnoser]
public class SamplerBenchmarks
{
    private Interactions _train = null!;
    private UniformNegativeSampler _sampler = null!;

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _train = BenchmarkGraph.Load().Train;
        _sampler = new UniformNegativeSampler(2020, Threads);
    }

    [Benchmark(Description = "sample one epoch")]
    public int SampleEpoch() => _sampler.Sample(_train, 1, reuse: null).Count;
}

/// <summary>Full-catalogue evaluation at K = 20 on Gowalla, training items excluded, with an untrained model.</summary>
public class EvaluatorBenchmarks
{
    private Interactions _train = null!;
    private Interactions _test = null!;
    private NormalizedAdjacency _adjacency = null!;
    private LightGcnModel _model = null!;
    private LightGcnScorer _scorer = null!;

    [GlobalSetup]
    public void Setup()
    {
        (_train, _test, _) = BenchmarkGraph.Load();
        _adjacency = NormalizedAdjacency.FromEdges(_train.UserCount, _train.ItemCount, _train.ExpandUsers(), _train.Items);
        _model = new LightGcnModel(_adjacency, new LightGcnOptions { Seed = 1 });
        _scorer = new LightGcnScorer(_model);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _scorer.Dispose();
        _model.Dispose();
        _adjacency.Dispose();
    }

    [Benchmark(Description = "evaluate recall/ndcg/precision@20")]
    public double Evaluate() =>
        FullRankingEvaluator.Evaluate(_scorer, _test, [_train], [20]).Mean("recall", 20);
}
