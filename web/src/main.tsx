// The UI's entry point: styles, then the application into #app.

import 'uplot/dist/uPlot.min.css';
import './styles/app.css';
import { render } from 'preact';
import { App } from './app.tsx';

render(<App />, document.getElementById('app')!);
