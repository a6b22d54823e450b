namespace Harrier.Engine.Bench;

/// <summary>
/// Runs the alternating rounds of a with/without comparison: round i measures both states back to back, in the order
/// off→on for even i and on→off for odd i (ABBA), so neither state always runs first after a switch. Not thread-safe
/// (runs on the caller's thread); exceptions of the callbacks propagate, and the mechanism is left switched off.
/// </summary>
internal static class EnforceBenchRounds
{
    /// <summary>
    /// Calls <paramref name="setEnabled"/> to switch the mechanism and <paramref name="measure"/> (ns per call) once per
    /// state per round. Returns the per-round samples without and with the mechanism, index-paired by round.
    /// </summary>
    public static (List<double> Without, List<double> With) Alternate(int rounds, Action<bool> setEnabled, Func<double> measure)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rounds, 1);
        ArgumentNullException.ThrowIfNull(setEnabled);
        ArgumentNullException.ThrowIfNull(measure);
        var without = new List<double>(rounds);
        var with = new List<double>(rounds);
        bool enabled = false;
        try
        {
            for (int i = 0; i < rounds; i++)
            {
                bool first = i % 2 == 1;
                foreach (bool state in new[] { first, !first })
                {
                    if (state != enabled)
                    {
                        setEnabled(state);
                        enabled = state;
                    }

                    (state ? with : without).Add(measure());
                }
            }
        }
        finally
        {
            if (enabled)
            {
                setEnabled(false);
            }
        }

        return (without, with);
    }

    /// <summary>
    /// The same for more than two states (0 = mechanism off): round i measures every state once, in the order
    /// (i + k) mod <paramref name="states"/>, so each state is measured first equally often. <paramref name="setState"/>
    /// is called only on a change (starting from state 0) and state 0 is restored at the end, also on an exception.
    /// Returns the samples per state, index-paired by round.
    /// </summary>
    public static List<double>[] Rotate(int rounds, int states, Action<int> setState, Func<double> measure)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rounds, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(states, 2);
        ArgumentNullException.ThrowIfNull(setState);
        ArgumentNullException.ThrowIfNull(measure);
        var samples = Enumerable.Range(0, states).Select(_ => new List<double>(rounds)).ToArray();
        int current = 0;
        try
        {
            for (int i = 0; i < rounds; i++)
            {
                for (int k = 0; k < states; k++)
                {
                    int state = (i + k) % states;
                    if (state != current)
                    {
                        setState(state);
                        current = state;
                    }

                    samples[state].Add(measure());
                }
            }
        }
        finally
        {
            if (current != 0)
            {
                setState(0);
            }
        }

        return samples;
    }
}
