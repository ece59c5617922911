using System.Globalization;
using System.Text;

namespace GraphRec.Data;

/// <summary>
/// Makes text read from a file safe to put in a message: control characters escaped (a data file must not be able
/// to move the cursor, retitle or clear the terminal that prints the error) and long text cut, so that a message stays
/// one readable line whatever the input holds.
/// </summary>
internal static class InputText
{
    /// <summary>The longest field quoted in a message.</summary>
    public const int FieldLength = 64;

    /// <summary>The longest line quoted in a message.</summary>
    public const int LineLength = 200;

    /// <summary><paramref name="field"/> in single quotes, escaped and cut to <see cref="FieldLength"/> characters.</summary>
    public static string Quote(ReadOnlySpan<char> field) => $"'{Printable(field, FieldLength)}'";

    /// <summary><paramref name="text"/> with control characters other than tab as <c>\uXXXX</c>, cut to <paramref name="maximum"/> characters with an ellipsis.</summary>
    public static string Printable(ReadOnlySpan<char> text, int maximum)
    {
        bool cut = text.Length > maximum;
        var kept = cut ? text[..maximum] : text;
        if (!cut && !HasControl(kept))
        {
            return kept.ToString();
        }

        var builder = new StringBuilder(kept.Length + 8);
        foreach (char c in kept)
        {
            if (char.IsControl(c) && c != '\t')
            {
                builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            }
            else
            {
                builder.Append(c);
            }
        }

        return cut ? builder.Append('…').ToString() : builder.ToString();
    }

    /// <summary>Whether <paramref name="text"/> holds a control character other than tab.</summary>
    public static bool HasControl(ReadOnlySpan<char> text)
    {
        foreach (char c in text)
        {
            if (char.IsControl(c) && c != '\t')
            {
                return true;
            }
        }

        return false;
    }
}
