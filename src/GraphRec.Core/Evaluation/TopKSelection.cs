using System.Diagnostics;
using System.Runtime.Intrinsics;

namespace GraphRec.Core;

/// <summary>
/// Top-k selection over one row of scores: a single pass that keeps the best k in a small sorted buffer and, eight
/// scores at a time, skips every block with nothing above the current k-th best.
/// </summary>
/// <remarks>
/// Owned because it was measured: libtorch's <c>topk</c> took a quarter of a Gowalla evaluation (gowalla benchmark); with
/// k much smaller than the row almost every block is skipped after the first few hundred items.
/// </remarks>
internal static class TopKSelection
{
    /// <summary>
    /// Writes the indices of the <c>top.Length</c> largest scores to <paramref name="top"/>, best first, ties to the
    /// lower index; negative infinity and NaN never qualify, and unfilled places get -1. When
    /// <paramref name="topScores"/> is given (as long as <paramref name="top"/>), it receives their scores, NaN where unfilled.
    /// </summary>
    public static void Select(ReadOnlySpan<float> scores, Span<int> top, Span<float> topScores = default)
    {
        int k = top.Length;
        Span<float> best = topScores.Length == k ? topScores : k <= 256 ? stackalloc float[k] : new float[k];
        int count = 0;
        Offer(scores, 0, best, top, ref count);
        Finish(best, top, count);
    }

    /// <summary>
    /// Offers <paramref name="scores"/> as the items from <paramref name="firstItem"/> on to a selection in progress:
    /// <paramref name="top"/> and <paramref name="best"/> hold its <paramref name="count"/> best so far, best first.
    /// Blocks offered in ascending item order select exactly what one call over the whole row would, ties included.
    /// </summary>
    public static void Offer(ReadOnlySpan<float> scores, int firstItem, Span<float> best, Span<int> top, ref int count)
    {
        int k = top.Length;
        Debug.Assert(best.Length == k, "The best scores and the top items are kept side by side.");
        float threshold = count == k ? best[k - 1] : float.NegativeInfinity;
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            int width = Vector256<float>.Count;
            for (; i + width <= scores.Length; i += width)
            {
                var block = Vector256.Create(scores.Slice(i, width));
                if (count == k && !Vector256.GreaterThanAny(block, Vector256.Create(threshold)))
                {
                    continue;
                }

                for (int j = i; j < i + width; j++)
                {
                    Offer(scores[j], firstItem + j, best, top, ref count, ref threshold);
                }
            }
        }

        for (; i < scores.Length; i++)
        {
            Offer(scores[i], firstItem + i, best, top, ref count, ref threshold);
        }
    }

    /// <summary>Ends a selection of <paramref name="count"/> items: the places left get -1 in <paramref name="top"/> and NaN in <paramref name="best"/>.</summary>
    public static void Finish(Span<float> best, Span<int> top, int count)
    {
        top[count..].Fill(-1);
        best[count..].Fill(float.NaN);
    }

    private static void Offer(float score, int item, Span<float> best, Span<int> top, ref int count, ref float threshold)
    {
        // The threshold is negative infinity until the buffer is full. Strictly greater: an equal score arriving later
        // (a higher index) loses the tie; NaN and negative infinity never pass.
        if (!(score > threshold))
        {
            return;
        }

        int position = count < best.Length ? count++ : best.Length - 1;
        while (position > 0 && best[position - 1] < score)
        {
            best[position] = best[position - 1];
            top[position] = top[position - 1];
            position--;
        }

        best[position] = score;
        top[position] = item;
        if (count == best.Length)
        {
            threshold = best[^1];
        }
    }
}
