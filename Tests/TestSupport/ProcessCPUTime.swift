import Foundation

/// CPU time a process has used so far, from `/proc/<pid>/stat` (Linux only).
public enum ProcessCPUTime {
    /// User plus system time of `pid`, in seconds; nil if the process is gone.
    public static func seconds(of pid: Int32) -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let commandEnd = stat.lastIndex(of: ")")
        else { return nil }
        // After "pid (comm) " come the fields from 3 (state) on; utime and stime are fields 14 and 15.
        let fields = stat[stat.index(after: commandEnd)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}
