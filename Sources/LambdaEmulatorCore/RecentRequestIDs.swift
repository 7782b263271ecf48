/// The last few answered request ids, so a second answer can be told apart from an unknown id.
public struct RecentRequestIDs: Sendable {
    private var order: [String] = []
    private var members: Set<String> = []
    private let capacity: Int

    public init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    public func contains(_ id: String) -> Bool {
        members.contains(id)
    }

    public mutating func insert(_ id: String) {
        guard members.insert(id).inserted else { return }
        order.append(id)
        if order.count > capacity {
            members.remove(order.removeFirst())
        }
    }
}
