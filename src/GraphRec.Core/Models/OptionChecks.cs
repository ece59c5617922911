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
}
