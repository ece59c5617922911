using System.Globalization;

namespace GraphRec.Core;

/// <summary>The one message every options class gives for a value out of range: which option, what it must be, what it is.</summary>
internal static class OptionChecks
{
    public static void Require(bool valid, string options, string name, string what, object? value)
    {
        if (!valid)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"{options}.{name} must be {what}; it is {Convert.ToString(value, CultureInfo.InvariantCulture) ?? "null"}."));
        }
    }

    /// <summary>
    /// Refuses a size whose memory, <paramref name="bytes"/> (computed in 128 bits, so no product of sizes overflows),
    /// is more than the process can have (<see cref="GCMemoryInfo.TotalAvailableMemoryBytes"/>: the machine's memory,
    /// or the container's limit), before anything is allocated: beyond it the allocator fails half way, or the machine swaps.
    /// </summary>
    public static void RequireMemory(string options, string name, object value, Int128 bytes, string what)
    {
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (available > 0 && bytes > available)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"{options}.{name} = {value} needs at least {bytes:N0} bytes ({what}), more than the {available:N0} bytes of memory available; choose a smaller {name}."));
        }
    }

    /// <summary>
    /// Refuses a <paramref name="rank"/> whose randomized SVD of a <paramref name="users"/> x <paramref name="items"/>
    /// matrix does not fit in memory: it holds dense float64 blocks of its width (k + oversampling, capped at the
    /// smaller side) by the users and by the items at once.
    /// </summary>
    public static void RequireSvdMemory(string options, int rank, int oversampling, int users, int items)
    {
        long width = Math.Min((long)Math.Min(rank, Math.Min(users, items)) + oversampling, Math.Min(users, items));
        RequireMemory(options, "Rank", rank, ((Int128)users + items) * width * sizeof(double),
            string.Create(CultureInfo.InvariantCulture, $"the randomized SVD's float64 blocks of {width:N0} columns by {users:N0} users and by {items:N0} items"));
    }
}
