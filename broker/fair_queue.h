#pragma once
// The queue of one service: a lane per experiment, served round-robin, so
// that an experiment that submits 10,000 tasks cannot starve one that submits
// ten afterwards (docs/design.md section 3, "Fair share").
//
// push_back and pop are O(1) amortized; push_front is for requeued tasks
// (they go to the front of their lane, and their lane to the front of the
// turn order when it was idle). take_experiment empties one lane.
//
// Thread-safety: none; the broker's event loop owns it.
#include <cstddef>
#include <deque>
#include <string>
#include <unordered_map>
#include <vector>

namespace bigpe::broker {

template <typename T>
class FairQueue {
 public:
  void push_back(const std::string& experiment, T item) {
    Lane& lane = lane_for(experiment);
    lane.items.push_back(std::move(item));
    ++size_;
    if (!lane.in_turn) {
      turns_.push_back(&lane);
      lane.in_turn = true;
    }
  }

  void push_front(const std::string& experiment, T item) {
    Lane& lane = lane_for(experiment);
    lane.items.push_front(std::move(item));
    ++size_;
    if (!lane.in_turn) {
      turns_.push_front(&lane);
      lane.in_turn = true;
    }
  }

  // Takes the next item in turn; false when the queue is empty.
  bool pop(T& out) {
    while (!turns_.empty()) {
      Lane* lane = turns_.front();
      turns_.pop_front();
      if (lane->items.empty()) {  // emptied by take_experiment
        retire(lane);
        continue;
      }
      out = std::move(lane->items.front());
      lane->items.pop_front();
      --size_;
      if (lane->items.empty())
        retire(lane);
      else
        turns_.push_back(lane);
      return true;
    }
    return false;
  }

  // Removes and returns the experiment's queued items, oldest first.
  std::vector<T> take_experiment(const std::string& experiment) {
    std::vector<T> out;
    auto it = lanes_.find(experiment);
    if (it == lanes_.end()) return out;
    Lane& lane = it->second;
    out.assign(std::make_move_iterator(lane.items.begin()), std::make_move_iterator(lane.items.end()));
    size_ -= lane.items.size();
    lane.items.clear();
    // A lane still in the turn order is retired lazily by pop().
    if (!lane.in_turn) lanes_.erase(it);
    return out;
  }

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

 private:
  struct Lane {
    std::string name;
    std::deque<T> items;
    bool in_turn = false;
  };

  Lane& lane_for(const std::string& experiment) {
    auto [it, inserted] = lanes_.try_emplace(experiment);
    if (inserted) it->second.name = experiment;
    return it->second;
  }

  // Forgets a drained lane so that finished experiments cost no memory.
  void retire(Lane* lane) {
    lane->in_turn = false;
    if (lane->items.empty()) lanes_.erase(lane->name);
  }

  // Node-based map: a Lane's address is stable while it exists.
  std::unordered_map<std::string, Lane> lanes_;
  std::deque<Lane*> turns_;  // lanes with items, in serving order
  std::size_t size_ = 0;
};

}  // namespace bigpe::broker
