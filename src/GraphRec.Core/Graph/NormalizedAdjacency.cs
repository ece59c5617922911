using System.Globalization;
using GraphRec.Core.Kernels;
using GraphRec.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace GraphRec.Core;

/// <summary>
/// The symmetric normalized adjacency <c>Â = D^-1/2 A D^-1/2</c> of the bipartite user–item graph, over
/// <c>n_users + n_items</c> nodes (users first, then items), built once per training set.
/// </summary>
/// <remarks>
/// <para>
/// <c>A</c> has a 1 at (u, n_users + i) and at (n_users + i, u) for every training interaction (u, i); <c>D</c> is its
/// diagonal degree matrix, so the entry for an edge is <c>1 / sqrt(|N(u)| |N(i)|)</c>. A node without edges has an
/// empty row and column: propagation gives it zeros, never NaN or infinity.
/// </para>
/// <para>
/// The matrix is kept in CSR form (rows sorted, columns sorted within a row), which is what the CPU kernel reads,
/// and, on first use, as a COO sparse tensor (indices sorted and unique, so already coalesced) on <see cref="Device"/> for <c>torch.mm</c>. Because <c>Â</c> is symmetric,
/// the CSR form is also its transpose.
/// </para>
/// </remarks>
public sealed class NormalizedAdjacency : IDisposable
{
    private readonly Lazy<Tensor> _sparse;
    private bool _disposed;

    private NormalizedAdjacency(
        int userCount, int itemCount, int[] rowPointers, int[] columns, float[] values, Device device, int maxDegreeOfParallelism)
    {
        UserCount = userCount;
        ItemCount = itemCount;
        Device = device;
        Partition = new CsrPartition(rowPointers, columns, values, maxDegreeOfParallelism);
        _sparse = new Lazy<Tensor>(BuildSparse, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The number of user nodes (indices <c>0 .. UserCount-1</c>).</summary>
    public int UserCount { get; }

    /// <summary>The number of item nodes (indices <c>UserCount .. UserCount+ItemCount-1</c>).</summary>
    public int ItemCount { get; }

    /// <summary><c>UserCount + ItemCount</c>.</summary>
    public int NodeCount => UserCount + ItemCount;

    /// <summary>The number of stored entries: twice the number of distinct training interactions.</summary>
    public long NonZeroCount => Columns.Length;

    /// <summary>The device that <see cref="Sparse"/> lives on.</summary>
    public Device Device { get; }

    /// <summary>
    /// <c>Â</c> as a COO sparse tensor of shape <c>[NodeCount, NodeCount]</c> on <see cref="Device"/>, built on first use
    /// (the CPU kernel does not need it).
    /// </summary>
    /// <exception cref="ObjectDisposedException">The adjacency was disposed, and with it this tensor; the CSR arrays and counts stay readable.</exception>
    public Tensor Sparse
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _sparse.Value;
        }
    }

    /// <summary>The number of threads the CPU kernel uses.</summary>
    public int MaxDegreeOfParallelism => Partition.ParallelOptions.MaxDegreeOfParallelism;

    /// <summary>The CSR arrays cut into blocks for the CPU kernel.</summary>
    internal CsrPartition Partition { get; }

    /// <summary>CSR row pointers, length <c>NodeCount + 1</c>.</summary>
    internal int[] RowPointers => Partition.RowPointers;

    /// <summary>CSR column indices, sorted within each row.</summary>
    internal int[] Columns => Partition.Columns;

    /// <summary>CSR values, <c>1 / sqrt(deg(row) deg(column))</c>.</summary>
    internal float[] Values => Partition.Values;

    /// <summary>Builds <c>Â</c> from training interactions: their users and items are the graph's nodes.</summary>
    /// <param name="train">The training interactions.</param>
    /// <param name="device">The device of the model that will use it; the CPU when null.</param>
    /// <param name="maxDegreeOfParallelism">Threads for the CPU kernel; all processors when 0 or negative (the default).</param>
    public static NormalizedAdjacency FromInteractions(Interactions train, Device? device = null, int maxDegreeOfParallelism = 0)
    {
        ArgumentNullException.ThrowIfNull(train);
        return FromEdges(train.UserCount, train.ItemCount, train.ExpandUsers(), train.Items, device, maxDegreeOfParallelism);
    }

    /// <summary>
    /// Builds <c>Â</c> from edges given as parallel arrays of dense user and item indices: for graphs that are not an
    /// <see cref="Interactions"/>.
    /// </summary>
    /// <param name="userCount">Number of users; every user index must be below it.</param>
    /// <param name="itemCount">Number of items; every item index must be below it.</param>
    /// <param name="users">The user index of each interaction.</param>
    /// <param name="items">The item index of each interaction.</param>
    /// <param name="device">The device of the model that will use it; the CPU when null.</param>
    /// <param name="maxDegreeOfParallelism">Threads for the CPU kernel; all processors when 0 or negative (the default).</param>
    /// <exception cref="ArgumentException">The arrays differ in length, an index is out of range, a (user, item) pair repeats,
    /// or the graph is larger than .NET arrays can hold.</exception>
    public static NormalizedAdjacency FromEdges(
        int userCount, int itemCount, ReadOnlySpan<int> users, ReadOnlySpan<int> items, Device? device = null, int maxDegreeOfParallelism = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(userCount);
        ArgumentOutOfRangeException.ThrowIfNegative(itemCount);
        if (users.Length != items.Length)
        {
            throw new ArgumentException($"{users.Length} user indices but {items.Length} item indices.", nameof(items));
        }

        if ((long)userCount + itemCount >= Array.MaxLength)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"{userCount} users and {itemCount} items make more nodes than an array can index ({Array.MaxLength - 1})."), nameof(itemCount));
        }

        int nodeCount = userCount + itemCount;
        var degree = new int[nodeCount];
        for (int e = 0; e < users.Length; e++)
        {
            if ((uint)users[e] >= (uint)userCount || (uint)items[e] >= (uint)itemCount)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"Interaction {e} is (user {users[e]}, item {items[e]}), outside {userCount} users x {itemCount} items."));
            }

            degree[users[e]]++;
            degree[userCount + items[e]]++;
        }

        if (2L * users.Length >= Array.MaxLength)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"{users.Length} interactions make more than {Array.MaxLength - 1} adjacency entries, the most an array holds."), nameof(users));
        }

        var rowPointers = new int[nodeCount + 1];
        for (int node = 0; node < nodeCount; node++)
        {
            rowPointers[node + 1] = rowPointers[node] + degree[node];
        }

        var columns = new int[rowPointers[nodeCount]];
        var next = rowPointers[..^1].ToArray();
        for (int e = 0; e < users.Length; e++)
        {
            int user = users[e], itemNode = userCount + items[e];
            columns[next[user]++] = itemNode;
            columns[next[itemNode]++] = user;
        }

        var values = new float[columns.Length];
        for (int row = 0; row < nodeCount; row++)
        {
            var rowColumns = columns.AsSpan(rowPointers[row], degree[row]);
            rowColumns.Sort();
            for (int k = 0; k < rowColumns.Length; k++)
            {
                if (k > 0 && rowColumns[k] == rowColumns[k - 1])
                {
                    (int user, int item) = row < userCount ? (row, rowColumns[k] - userCount) : (rowColumns[k], row - userCount);
                    throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                        $"The interaction (user {user}, item {item}) occurs more than once; collapse duplicates first."));
                }

                values[rowPointers[row] + k] = (float)(1.0 / Math.Sqrt((double)degree[row] * degree[rowColumns[k]]));
            }
        }

        return new NormalizedAdjacency(userCount, itemCount, rowPointers, columns, values, device ?? CPU, maxDegreeOfParallelism);
    }

    /// <summary>
    /// This matrix with its nodes relabelled by <paramref name="order"/> (node v becomes <c>order.SlotOf[v]</c>, users
    /// staying before items): row <c>SlotOf[v]</c> holds row v's non-zeros in row v's order, their columns relabelled,
    /// so a product computes each row as the same sum in the same order (columns are then not sorted within a row).
    /// </summary>
    internal NormalizedAdjacency Relabelled(NodeOrder order)
    {
        int nodes = NodeCount;
        var rowPointers = new int[nodes + 1];
        var columns = new int[Columns.Length];
        var values = new float[Values.Length];
        for (int slot = 0; slot < nodes; slot++)
        {
            int node = order.NodeAt[slot], start = RowPointers[node], length = RowPointers[node + 1] - start;
            rowPointers[slot + 1] = rowPointers[slot] + length;
            for (int k = 0; k < length; k++)
            {
                columns[rowPointers[slot] + k] = order.SlotOf[Columns[start + k]];
            }

            Values.AsSpan(start, length).CopyTo(values.AsSpan(rowPointers[slot], length));
        }

        return new NormalizedAdjacency(UserCount, ItemCount, rowPointers, columns, values, Device, MaxDegreeOfParallelism);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _disposed = true;
        if (_sparse.IsValueCreated)
        {
            _sparse.Value.Dispose();
        }
    }

    private Tensor BuildSparse()
    {
        using var scope = NewDisposeScope();
        var rows = new long[Columns.Length];
        for (int row = 0; row < NodeCount; row++)
        {
            rows.AsSpan(RowPointers[row], RowPointers[row + 1] - RowPointers[row]).Fill(row);
        }

        var indices = stack([tensor(rows), tensor(Array.ConvertAll(Columns, c => (long)c))]);
        // Detached, not moved out: the first use may happen inside a caller's batch scope, which must not dispose it.
        return sparse_coo_tensor(indices, tensor(Values), [NodeCount, NodeCount]).to(Device).DetachFromDisposeScope();
    }
}
