// Jest setup provided by Grafana scaffolding
import './.config/jest-setup';

// jsdom lacks the observers Grafana's panels use to size and lazy-load themselves. These report
// every observed element as visible and 800×300, so that panels render their content.
class ResizeObserver {
  constructor(callback) {
    this.callback = callback;
  }
  observe(target) {
    const contentRect = { x: 0, y: 0, top: 0, left: 0, width: 800, height: 300, right: 800, bottom: 300 };
    this.callback([{ target, contentRect }], this);
  }
  unobserve() {}
  disconnect() {}
}

class IntersectionObserver {
  constructor(callback) {
    this.callback = callback;
  }
  observe(target) {
    this.callback([{ target, isIntersecting: true, intersectionRatio: 1 }], this);
  }
  unobserve() {}
  disconnect() {}
  takeRecords() {
    return [];
  }
}

Object.assign(global, { ResizeObserver, IntersectionObserver });
