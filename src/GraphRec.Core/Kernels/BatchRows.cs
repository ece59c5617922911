namespace GraphRec.Core.Kernels;

/// <summary>
/// The rows a training batch gathers: the node of each gathered row (repeats allowed), the distinct nodes in ascending
/// order, and where each gathered row's node sits among them.
/// </summary>
internal sealed class BatchRows
{
    private BatchRows(int[] nodes, int[] distinct, int[] positions)
    {
        Nodes = nodes;
        Distinct = distinct;
        Positions = positions;
    }

    /// <summary>The node of each gathered row.</summary>
    public int[] Nodes { get; }

    /// <summary>The distinct values of <see cref="Nodes"/>, ascending.</summary>
    public int[] Distinct { get; }

    /// <summary>For each gathered row, the index of its node in <see cref="Distinct"/>.</summary>
    public int[] Positions { get; }

    /// <summary>
    /// Indexes <paramref name="nodes"/>, each in <c>[0, marks.Length)</c>, by marking them in <paramref name="marks"/>, a
    /// scratch array of one slot per node that must be all zeros and is all zeros again when this returns.
    /// </summary>
    /// <remarks>
    /// Owned because measured: a pass over the nodes' slots and two over the batch's rows take a fraction of the time of
    /// sorting a copy of the batch and finding each row by binary search (phases benchmark).
    /// </remarks>
    public static BatchRows Index(int[] nodes, int[] marks)
    {
        foreach (int node in nodes)
        {
            marks[node] = 1;
        }

        int count = 0;
        var distinct = new int[Math.Min(nodes.Length, marks.Length)];
        for (int node = marks.AsSpan().IndexOfAnyExcept(0); node >= 0;)
        {
            // From here on a node's slot holds its index among the distinct nodes, plus one so that zero stays "absent".
            distinct[count] = node;
            marks[node] = ++count;
            int next = marks.AsSpan(node + 1).IndexOfAnyExcept(0);
            node = next < 0 ? -1 : node + 1 + next;
        }

        var positions = new int[nodes.Length];
        for (int i = 0; i < nodes.Length; i++)
        {
            positions[i] = marks[nodes[i]] - 1;
        }

        distinct = distinct[..count];
        foreach (int node in distinct)
        {
            marks[node] = 0;
        }

        return new BatchRows(nodes, distinct, positions);
    }
}
