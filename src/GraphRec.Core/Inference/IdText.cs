using System.Globalization;

namespace GraphRec.Core;

/// <summary>Ids as text: an integer id as the one string <see cref="GraphRec.Data.IdMap"/> matches it by, and an id quoted in a message.</summary>
internal static class IdText
{
    /// <summary>The canonical text of an integer id (invariant culture), which a numeric or a text map looks up as that integer.</summary>
    public static string Of(long id) => id.ToString(CultureInfo.InvariantCulture);

    /// <summary>The canonical text of each integer id, in order.</summary>
    public static string[] Of(IReadOnlyList<long> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        return [.. ids.Select(Of)];
    }

    /// <summary><paramref name="id"/> in double quotes, exactly as given.</summary>
    public static string Quote(string id) => $"\"{id}\"";
}
